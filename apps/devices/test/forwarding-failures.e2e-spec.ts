import { request } from '@app/testing/http-client';
import { createTestDatabase, dropTestDatabase } from '@app/testing/pg';
import { ServiceProcess, TEST_SERVICE_TOKEN } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

const DEVICE = 'visible-device-1';

interface LogLine {
  level: number;
  msg: string;
}

interface Health {
  status: string;
  reason?: string;
  database: string;
  forwarding?: {
    state: string;
    side: string | null;
    reason: string | null;
    failures: number;
    pending: number | null;
    dead_letters: number | null;
  };
  command_handoff?: { state: string; side: string | null; reason: string | null };
}

/** The service's JSON log lines (pino: level 40 warn, 50 error) whose message matches. */
function logged(service: ServiceProcess, pattern: RegExp): LogLine[] {
  return service.logs
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => typeof line.msg === 'string' && pattern.test(line.msg));
}

/** Waits for at least one matching log line (an empty list would end waitFor at once). */
function loggedSoon(service: ServiceProcess, pattern: RegExp, what: string): Promise<LogLine[]> {
  return waitFor(
    () => {
      const lines = logged(service, pattern);
      return lines.length > 0 ? lines : undefined;
    },
    { message: what },
  );
}

async function health(service: ServiceProcess): Promise<{ status: number; body: Health }> {
  return request<Health>('GET', `${service.url}/health`);
}

async function postMetrics(stack: Stack, count: number): Promise<void> {
  const response = await request('POST', `${stack.api}/devices/${DEVICE}/metrics`, {
    headers: stack.asDevice(DEVICE),
    body: Array.from({ length: count }, () => ({ id: randomUUID(), cpu_usage: 5 })),
  });
  assert.equal(response.status, 201, JSON.stringify(response.body));
}

/** Attempts made on the records still waiting in Devices' outbox. */
async function attemptsWaiting(stack: Stack): Promise<number> {
  const { rows } = await stack.devicesDb.query<{ n: number }>(
    `SELECT coalesce(sum(attempts), 0)::int AS n FROM outbox WHERE status = 'pending'`,
  );
  return rows[0].n;
}

describe('Forwarding failures are reported, rate-limited, with the side that failed', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start('fwd_failures');
    await stack.setUp(async () => {
      await stack.registerDevice(DEVICE);
      await postMetrics(stack, 3);
      await waitFor(async () => (await stack.pendingOutbox()) === 0, {
        message: 'the first records to reach the mentor',
      });
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('warns once when the mentor goes down, shows forwarding degraded in a 200 /health, and warns once when it recovers', async () => {
    const healthy = await health(stack.devices);
    assert.equal(healthy.status, 200);
    assert.equal(healthy.body.status, 'ok');
    assert.equal(healthy.body.forwarding?.state, 'ok');

    const mentorPort = stack.mentor!.port;
    await stack.mentor!.stop();
    await postMetrics(stack, 5);
    const failing = new RegExp(
      `^mentor: delivery to mentor is failing on the mentor side: mentor unreachable: ` +
        `connect ECONNREFUSED 127\\.0\\.0\\.1:${mentorPort}; records wait in the outbox`,
    );
    const warned = await loggedSoon(stack.devices, failing, 'a warning that delivery fails');
    assert.equal(warned[0].level, 40);

    const degraded = await waitFor(
      async () => {
        const answer = await health(stack.devices);
        return answer.body.forwarding?.state === 'degraded' ? answer : undefined;
      },
      { message: '/health to show forwarding degraded' },
    );
    assert.equal(degraded.status, 200, 'a mentor outage must not make Devices unhealthy');
    assert.equal(degraded.body.status, 'degraded');
    assert.equal(degraded.body.database, 'up');
    assert.match(degraded.body.reason!, /^forwarding degraded: mentor failing: mentor unreachable/);
    assert.equal(degraded.body.forwarding!.side, 'mentor');
    assert.match(degraded.body.forwarding!.reason!, /ECONNREFUSED/);
    assert.equal(degraded.body.forwarding!.pending, 5);
    assert.equal((await request('GET', `${stack.devices.url}/health/ready`)).status, 200);

    // Quick retries and recovery probes keep failing; the warning is not repeated for each.
    await waitFor(
      async () =>
        (await attemptsWaiting(stack)) >= 4 &&
        (await health(stack.devices)).body.forwarding!.failures >= 4,
      { timeoutMs: 30_000, message: 'several failed attempts' },
    );
    assert.equal(logged(stack.devices, /delivery to mentor (is|still) failing/).length, 1);
    assert.equal(logged(stack.devices, /delivery round failed/).length, 0);

    await stack.mentor!.restart();
    await waitFor(async () => (await stack.pendingOutbox()) === 0, {
      message: 'the backlog to drain after the mentor returned',
    });
    const recovered = await loggedSoon(
      stack.devices,
      /^mentor: delivery to mentor recovered after \d+ s and \d+ failed attempt/,
      'a recovery warning',
    );
    assert.equal(recovered.length, 1);
    assert.equal(recovered[0].level, 40);
    const back = await health(stack.devices);
    assert.deepEqual(
      [back.status, back.body.status, back.body.forwarding?.state, back.body.forwarding?.reason],
      [200, 'ok', 'ok', null],
    );
  });

  it('blames its own database, not the mentor, when that database goes away', async () => {
    const db = await createTestDatabase('fwd_own_db');
    const devices = await ServiceProcess.start('devices', {
      DATABASE_URL: db.url,
      MENTOR_API_URL: stack.mentor!.url,
      MENTOR_API_TOKEN: TEST_SERVICE_TOKEN,
    });
    const admin = new Client({ connectionString: db.url.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${db.name}" WITH ALLOW_CONNECTIONS false`);
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
        [db.name],
      );
      const paused = await loggedSoon(
        devices,
        /^mentor: delivery paused: own database failed while \w+ \w+ \(not mentor\): /,
        'an error naming our own database',
      );
      assert.equal(paused[0].level, 50);
      const answer = await waitFor(
        async () => {
          const reply = await health(devices);
          return reply.body.forwarding?.state === 'failing' ? reply : undefined;
        },
        { message: '/health to show forwarding failing' },
      );
      assert.equal(answer.status, 503);
      assert.equal(answer.body.database, 'down');
      assert.equal(answer.body.forwarding!.side, 'own database');
      assert.equal(answer.body.forwarding!.pending, null);
      // Workers retry every few seconds; one error line stands for all of them.
      await waitFor(async () => (await health(devices)).body.forwarding!.failures >= 3, {
        timeoutMs: 30_000,
        message: 'several failed rounds',
      });
      // One line per channel: the mentor channel here (the webhooks channel reports its own).
      assert.equal(logged(devices, /^mentor: .*own database failed/).length, 1);
      assert.equal(logged(devices, /mentor unreachable|delivery to mentor is failing/).length, 0);

      await admin.query(`ALTER DATABASE "${db.name}" WITH ALLOW_CONNECTIONS true`);
      const back = await loggedSoon(
        devices,
        /^mentor: own database is back after \d+ s/,
        'the recovery report',
      );
      assert.equal(back.length, 1);
      // One line per channel: the mentor channel here (the webhooks channel reports its own).
      assert.equal(logged(devices, /^mentor: .*own database failed/).length, 1);
      assert.equal((await health(devices)).body.forwarding?.state, 'ok');
    } finally {
      await admin
        .query(`ALTER DATABASE "${db.name}" WITH ALLOW_CONNECTIONS true`)
        .catch(() => undefined);
      await admin.end();
      await devices.stop();
      await dropTestDatabase(db.name);
    }
  });

  it("reports the Mentor's command hand-off failing while Devices is down, in its log and /health", async () => {
    const mentor = stack.mentor!;
    const devicesPort = stack.devices.port;
    await stack.devices.stop();
    const created = await request('POST', `${mentor.url}/devices/${DEVICE}/commands`, {
      body: { command_text: 'status' },
      headers: await stack.asAdmin(),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const warning = await loggedSoon(
      mentor,
      new RegExp(
        `^devices: delivery to devices is failing on the devices side: devices unreachable: ` +
          `connect ECONNREFUSED 127\\.0\\.0\\.1:${devicesPort}`,
      ),
      "a warning in the Mentor's log",
    );
    assert.equal(warning[0].level, 40);
    const degraded = await waitFor(
      async () => {
        const answer = await health(mentor);
        return answer.body.command_handoff?.state === 'degraded' ? answer : undefined;
      },
      { message: "the Mentor's /health to show the hand-off degraded" },
    );
    assert.equal(degraded.status, 200);
    assert.equal(degraded.body.status, 'degraded');
    assert.equal(degraded.body.command_handoff!.side, 'devices');
    // Devices stays down: the stack closes without it (its recovery report is the same relay
    // code as the Devices side's, checked in the first test).
  });
});

describe('Forwarding with a MENTOR_API_TOKEN the Mentor refuses', () => {
  const WRONG_TOKEN = 'wrong-service-token-0123456789abcdef';
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start('fwd_wrong_token', { devicesEnv: { MENTOR_API_TOKEN: WRONG_TOKEN } });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('logs an error naming MENTOR_API_TOKEN as records are dead-lettered and shows it in a degraded /health', async () => {
    await stack.registerDevice(DEVICE);
    await postMetrics(stack, 10);
    const errors = await loggedSoon(
      stack.devices,
      /^mentor: \d+ record\(s\) dead-lettered \(\d+ since .+\): mentor refused our credential: mentor answered 401: .*; check MENTOR_API_TOKEN on both services$/,
      'an error about the refused token',
    );
    assert.equal(errors[0].level, 50);
    await waitFor(async () => (await stack.pendingOutbox()) === 0, {
      message: 'every record to be dead-lettered',
    });
    const answer = await health(stack.devices);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.status, 'degraded');
    assert.equal(answer.body.forwarding!.state, 'degraded');
    assert.equal(answer.body.forwarding!.side, 'mentor');
    assert.match(answer.body.forwarding!.reason!, /401.*check MENTOR_API_TOKEN/);
    assert.equal(answer.body.forwarding!.dead_letters, 11);
    // Rate-limited: not one line per dead record, and the token itself is never written.
    assert.equal(logged(stack.devices, /dead-lettered/).length, 1);
    assert.ok(!stack.devices.logs.includes(WRONG_TOKEN));
  });
});
