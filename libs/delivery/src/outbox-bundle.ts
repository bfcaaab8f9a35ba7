import type { ClaimedMessage } from './delivery.types';

/**
 * The outbox bundle format, in one place for the producers that write bundles (OutboxWriter, or
 * a producer's own SQL through bundleRequestIdsSql) and the transports that read them.
 *
 * A bundle is one outbox row carrying several records of one topic: its payload is their JSON
 * array, each record holding its own id in `id`; `record_id` names the first record,
 * `bundle_size` says how many there are, and `request_id` lists up to MAX_BUNDLE_REQUEST_IDS of
 * their distinct request ids separated by commas (request ids never contain one). An ordinary
 * row has a NULL `bundle_size` and one record as its payload.
 *
 * A producer may also write a row that stands for `bundle_size` records in a payload of its
 * transport's own that is not an array (Devices' webhook group fan-outs): the engine counts it
 * as that many records in claims and backlogs, but never splits it, and recordsOf does not apply.
 */

/** Distinct request ids a bundle keeps, and one outgoing request names at most. */
export const MAX_BUNDLE_REQUEST_IDS = 50;

/** The records a claimed message carries, in order: one, or a bundle's. */
export function recordsOf(message: ClaimedMessage): unknown[] {
  return message.bundleSize === null ? [message.payload] : (message.payload as unknown[]);
}

/** The request ids a claimed message carries (a bundle's may be several). */
export function requestIdsOf(message: ClaimedMessage): string[] {
  return message.requestId ? message.requestId.split(',') : [];
}

/** The distinct request ids of several messages, as one request names them (in order). */
export function distinctRequestIds(messages: ClaimedMessage[]): string[] {
  return [...new Set(messages.flatMap(requestIdsOf))];
}

/**
 * SQL aggregate building a bundle's `request_id` from `expression` (a text column or element
 * of the aggregated rows), for a producer that writes its bundles in its own statement.
 */
export function bundleRequestIdSql(expression: string): string {
  return `array_to_string((array_agg(DISTINCT ${expression}))[1:${MAX_BUNDLE_REQUEST_IDS}], ',')`;
}
