export interface UnnestColumn {
  name: string;
  pgType: string;
}

const SQL_CACHE = new Map<string, string>();

/** `$1::uuid[], $2::text[], ...`: one array parameter per column, for `unnest(...)`. */
export function unnestArrays(columns: UnnestColumn[]): string {
  return columns.map((c, i) => `$${i + 1}::${c.pgType}[]`).join(', ');
}

export function quotedColumns(columns: UnnestColumn[], prefix = ''): string {
  return columns.map((c) => `${prefix}"${c.name}"`).join(', ');
}

/** The array parameters of `unnestArrays`, from row objects; a missing field is NULL. */
export function unnestValues(
  columns: UnnestColumn[],
  rows: Record<string, unknown>[],
): unknown[][] {
  return columns.map((column) => rows.map((row) => row[column.name] ?? null));
}

/**
 * A batched insert: each column travels as one array parameter and `unnest` turns them back
 * into rows, which costs one round trip for any number of rows (far cheaper than one INSERT
 * per record). `ON CONFLICT (<key>) DO NOTHING RETURNING id` tells which records are new, so a
 * retried record is stored once and the caller can act on the new ones only. The key defaults
 * to `id`; a table partitioned by `ts` needs `(id, ts)`.
 */
export function unnestInsert(
  table: string,
  columns: UnnestColumn[],
  rows: Record<string, unknown>[],
  conflictKey: string[] = ['id'],
): { text: string; values: unknown[][] } {
  const cacheKey = `${table}(${conflictKey.join(',')})`;
  let text = SQL_CACHE.get(cacheKey);
  if (!text) {
    text = `INSERT INTO ${table} (${quotedColumns(columns)}) SELECT * FROM unnest(${unnestArrays(columns)}) ON CONFLICT (${conflictKey.join(', ')}) DO NOTHING RETURNING id`;
    SQL_CACHE.set(cacheKey, text);
  }
  return { text, values: unnestValues(columns, rows) };
}
