export interface UnnestColumn {
  name: string;
  pgType: string;
}

const SQL_CACHE = new Map<string, string>();

/**
 * A batched insert: each column travels as one array parameter and `unnest` turns them back
 * into rows, which costs one round trip for any number of rows (far cheaper than one INSERT
 * per record). `ON CONFLICT (id) DO NOTHING RETURNING id` tells which records are new, so a
 * retried record is stored once and the caller can act on the new ones only. A missing field
 * is NULL.
 */
export function unnestInsert(
  table: string,
  columns: UnnestColumn[],
  rows: Record<string, unknown>[],
): { text: string; values: unknown[][] } {
  let text = SQL_CACHE.get(table);
  if (!text) {
    const names = columns.map((c) => `"${c.name}"`).join(', ');
    const arrays = columns.map((c, i) => `$${i + 1}::${c.pgType}[]`).join(', ');
    text = `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${arrays}) ON CONFLICT (id) DO NOTHING RETURNING id`;
    SQL_CACHE.set(table, text);
  }
  const values = columns.map((column) => rows.map((row) => row[column.name] ?? null));
  return { text, values };
}
