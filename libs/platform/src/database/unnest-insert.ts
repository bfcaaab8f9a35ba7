export interface UnnestColumn {
  name: string;
  pgType: string;
}

/**
 * A batched insert: each column travels as one array parameter and `unnest` turns them back
 * into rows, which costs one round trip for any number of rows (far cheaper than one INSERT
 * per record). `ON CONFLICT (id) DO NOTHING RETURNING id` tells which records are new, so a
 * retried record is stored once and the caller can act on the new ones only.
 */
export function unnestInsertSql(table: string, columns: UnnestColumn[]): string {
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const arrays = columns.map((c, i) => `$${i + 1}::${c.pgType}[]`).join(', ');
  return `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${arrays}) ON CONFLICT (id) DO NOTHING RETURNING id`;
}

/** Column-wise parameters for `unnestInsertSql`; a missing field is NULL. */
export function unnestValues(
  columns: UnnestColumn[],
  rows: Record<string, unknown>[],
): unknown[][] {
  return columns.map((column) => rows.map((row) => row[column.name] ?? null));
}
