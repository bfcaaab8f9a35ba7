import assert from 'node:assert/strict';
import { DeliveryMonitor, refusalKind } from './delivery-monitor';
import type { RelayLogger } from './delivery.types';

/** Keeps what the monitor says, with its level, and runs it on a clock the test moves. */
function watch() {
  const lines: { level: 'log' | 'warn' | 'error'; message: string }[] = [];
  const logger: RelayLogger = {
    log: (message) => lines.push({ level: 'log', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
    error: (message) => lines.push({ level: 'error', message }),
  };
  const clock = { now: 1_000_000 };
  const monitor = new DeliveryMonitor(
    'mentor',
    { name: 'mentor', credentialSetting: 'MENTOR_API_TOKEN', urlSetting: 'MENTOR_API_URL' },
    logger,
    60_000,
    () => clock.now,
  );
  return { lines, clock, monitor };
}

const refusedWith = (status: number) => ({
  kind: 'permanent' as const,
  reason: `mentor answered ${status}: {"statusCode":${status}}`,
  status,
});

describe('DeliveryMonitor', () => {
  it('warns when delivery starts failing, at most once a minute with a count, and once when it recovers', () => {
    const { lines, clock, monitor } = watch();
    monitor.receiverFailed('mentor unreachable: connect ECONNREFUSED 127.0.0.1:9');
    for (let i = 0; i < 20; i++) {
      clock.now += 2000;
      monitor.receiverFailed('mentor unreachable: connect ECONNREFUSED 127.0.0.1:9');
    }
    assert.equal(lines.length, 1);
    assert.equal(lines[0].level, 'warn');
    assert.match(
      lines[0].message,
      /^mentor: delivery to mentor is failing on the mentor side: mentor unreachable: connect ECONNREFUSED 127\.0\.0\.1:9; records wait/,
    );
    const degraded = monitor.health();
    assert.deepEqual([degraded.state, degraded.side], ['degraded', 'mentor']);
    assert.match(degraded.reason!, /ECONNREFUSED/);
    assert.deepEqual(degraded.since, new Date(1_000_000));
    assert.equal(degraded.failures, 21);

    clock.now += 20_000; // 60 s after the first report
    monitor.receiverFailed('mentor answered 503: busy');
    assert.equal(lines.length, 2);
    assert.match(
      lines[1].message,
      /still failing after 60 s \(21 failed attempt\(s\) since the last report, 22 in all\): mentor answered 503: busy$/,
    );

    clock.now += 5000;
    monitor.delivered();
    monitor.delivered();
    assert.equal(lines.length, 3);
    assert.deepEqual(lines[2], {
      level: 'warn',
      message: 'mentor: delivery to mentor recovered after 65 s and 22 failed attempt(s)',
    });
    assert.deepEqual(monitor.health(), {
      state: 'ok',
      side: null,
      reason: null,
      since: null,
      failures: 0,
    });
  });

  it('does not repeat the start warning of a receiver that flaps within a minute', () => {
    const { lines, clock, monitor } = watch();
    for (let i = 0; i < 10; i++) {
      monitor.receiverFailed('mentor answered 502: bad gateway');
      clock.now += 1000;
      monitor.delivered();
      clock.now += 1000;
    }
    // The first failure and its recovery; the next nine episodes began within the minute.
    assert.deepEqual(
      lines.map((l) => l.level),
      ['warn', 'warn'],
    );
    clock.now += 60_000;
    monitor.receiverFailed('mentor answered 502: bad gateway');
    assert.equal(lines.length, 3);
    assert.match(lines[2].message, /is failing on the mentor side/);
  });

  it('logs an error naming the setting to check when records die of a refused credential or address', () => {
    const { lines, clock, monitor } = watch();
    monitor.refused(refusedWith(401), 0); // a batch refused: split, nothing dead yet
    assert.equal(lines.length, 0);
    assert.equal(monitor.health().state, 'degraded');
    for (let i = 0; i < 25; i++) monitor.refused(refusedWith(401), 1);
    assert.equal(lines.length, 1);
    assert.equal(lines[0].level, 'error');
    assert.match(
      lines[0].message,
      /^mentor: 1 record\(s\) dead-lettered \(1 since .+\): mentor refused our credential: mentor answered 401: .*; check MENTOR_API_TOKEN on both services$/,
    );
    clock.now += 60_000;
    monitor.refused(refusedWith(403), 1);
    assert.match(lines[1].message, /^mentor: 25 record\(s\) dead-lettered \(26 since /);
    const health = monitor.health();
    assert.deepEqual([health.state, health.side], ['degraded', 'mentor']);
    assert.match(health.reason!, /403.*MENTOR_API_TOKEN/);

    monitor.delivered();
    assert.match(lines[2].message, /mentor accepts our requests again \(26 record\(s\)/);
    assert.equal(monitor.health().state, 'ok');

    monitor.refused(refusedWith(404), 1);
    assert.match(
      monitor.health().reason!,
      /mentor has no such endpoint: .*; check MENTOR_API_URL$/,
    );
  });

  it('warns about refused records without changing the state', () => {
    const { lines, monitor } = watch();
    monitor.refused(refusedWith(422), 1);
    monitor.refused(refusedWith(422), 1);
    assert.equal(lines.length, 1);
    assert.equal(lines[0].level, 'warn');
    assert.match(
      lines[0].message,
      /1 record\(s\) refused by mentor and dead-lettered: mentor answered 422/,
    );
    assert.equal(monitor.health().state, 'ok');
  });

  it('blames our own database, not the receiver, when a round fails on it', () => {
    const { lines, clock, monitor } = watch();
    const down = new Error('connect ECONNREFUSED 127.0.0.1:41971');
    monitor.databaseFailed(down, 'claiming rows');
    clock.now += 5000;
    monitor.databaseFailed(down, 'claiming rows');
    assert.equal(lines.length, 1);
    assert.equal(lines[0].level, 'error');
    assert.equal(
      lines[0].message,
      'mentor: delivery paused: own database failed while claiming rows (not mentor): ' +
        'connect ECONNREFUSED 127.0.0.1:41971; retrying',
    );
    const health = monitor.health();
    assert.deepEqual([health.state, health.side], ['failing', 'own database']);
    clock.now += 3000;
    monitor.databaseWorked();
    assert.deepEqual(lines[1], {
      level: 'warn',
      message: 'mentor: own database is back after 8 s; delivery resumes',
    });
    assert.equal(monitor.health().state, 'ok');
  });

  it('sorts permanent answers into credential, address and record problems', () => {
    assert.deepEqual(
      [401, 403, 404, 400, 413, 422, undefined].map((status) => refusalKind({ status })),
      ['auth', 'auth', 'config', 'data', 'data', 'data', 'data'],
    );
  });
});
