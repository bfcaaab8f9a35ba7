import { createHash } from 'node:crypto';
import type { QueryConfig } from 'pg';

const names = new Map<string, string>();

/**
 * A named statement for node-postgres: each pooled connection parses it once, and after a few
 * runs PostgreSQL may keep a generic plan, so a hot read stops paying for planning (a few ms for
 * the statements that span a dozen daily partitions). The name derives from the text, so one
 * text always has one name and different texts never share one; the map is bounded by the
 * finite set of statement texts the services build (values travel as parameters).
 */
export function prepared(text: string, values: unknown[]): QueryConfig {
  let name = names.get(text);
  if (!name) {
    name = `q${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return { name, text, values };
}
