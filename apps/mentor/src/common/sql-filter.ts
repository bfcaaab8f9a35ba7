/**
 * Builds the WHERE clause of a newest-first list: a `[from, to)` range, a `since` bound, and
 * the keyset cursor `(ts, id) < (before, before_id)`, so rows sharing a timestamp are neither
 * skipped nor repeated across pages. Values go to `params`; only placeholders enter the SQL.
 */
export class SqlFilter {
  readonly conditions: string[] = [];
  readonly params: unknown[] = [];

  add(condition: (placeholder: (value: unknown) => string) => string): this {
    this.conditions.push(condition((value) => this.param(value)));
    return this;
  }

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  window(
    query: { from?: string; to?: string; since?: string; before?: string; before_id?: string },
    ts = 'ts',
    id = 'id',
    idType = 'uuid',
  ): this {
    if (query.from) this.add((p) => `${ts} >= ${p(query.from)}::timestamptz`);
    if (query.to) this.add((p) => `${ts} < ${p(query.to)}::timestamptz`);
    if (query.since) this.add((p) => `${ts} > ${p(query.since)}::timestamptz`);
    if (query.before && query.before_id) {
      // The plain bound is implied by the row comparison, but only it lets PostgreSQL skip the
      // newer partitions of a table partitioned by time (pruning does not read row comparisons).
      this.add((p) => `${ts} <= ${p(query.before)}::timestamptz`);
      this.add(
        (p) =>
          `(${ts}, ${id}) < (${p(query.before)}::timestamptz, ${p(query.before_id)}::${idType})`,
      );
    } else if (query.before) {
      this.add((p) => `${ts} < ${p(query.before)}::timestamptz`);
    }
    return this;
  }

  get where(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}
