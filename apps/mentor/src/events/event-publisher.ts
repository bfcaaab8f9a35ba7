import type { PoolClient } from 'pg';
import { EVENTS_CHANNEL, MAX_PAYLOAD_BYTES, type LiveEvent } from './live-event';

/**
 * Announces stored records with NOTIFY inside the storing transaction: PostgreSQL delivers it
 * only if that transaction commits, and to every mentor replica listening. Oversized events are
 * trimmed to their count (the page then refetches).
 */
export async function publishEvents(client: PoolClient, events: LiveEvent[]): Promise<void> {
  if (events.length === 0) return;
  const payloads = events.map((event) => {
    let text = JSON.stringify(event);
    if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES)
      text = JSON.stringify({ ...event, records: [] });
    return text;
  });
  await client.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [
    EVENTS_CHANNEL,
    payloads,
  ]);
}

/** Groups newly stored records by device into events; `all` keeps every record, else the newest. */
export function eventsFor(
  type: LiveEvent['type'],
  records: Record<string, unknown>[],
  keep: 'all' | 'newest',
  timeField = 'timestamp',
): LiveEvent[] {
  const byDevice = new Map<string, Record<string, unknown>[]>();
  for (const record of records) {
    const deviceid = record.deviceid as string;
    byDevice.set(deviceid, [...(byDevice.get(deviceid) ?? []), record]);
  }
  return [...byDevice].map(([deviceid, list]) => {
    const newestFirst = [...list].sort(
      (a, b) => Date.parse(String(b[timeField])) - Date.parse(String(a[timeField])),
    );
    return {
      type,
      deviceid,
      count: list.length,
      records: keep === 'all' ? newestFirst.slice(0, 20) : newestFirst.slice(0, 1),
    };
  });
}
