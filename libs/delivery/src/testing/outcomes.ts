import type { RelayLogger, SendOutcome } from '../delivery.types';

/** A relay logger for specs that assert on outcomes, not log lines. */
export const quietLogger: RelayLogger = { log: () => {}, warn: () => {}, error: () => {} };

/** A receiver refusing the request for good (422 unless said otherwise). */
export const refused = (reason = '422 invalid record'): SendOutcome => ({
  kind: 'permanent',
  reason,
  status: 422,
});

/** A receiver that is down for now. */
export const unavailable: SendOutcome = { kind: 'transient', reason: '503 unavailable' };
