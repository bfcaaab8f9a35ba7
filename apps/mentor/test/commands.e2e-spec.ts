import { bearer, login } from '@app/testing/auth';
import { request } from '@app/testing/http-client';
import { SseClient } from '@app/testing/sse-client';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

const AGENT = 'agent-commands';
const OTHER = 'agent-other';

interface Command {
  commandid: string;
  deviceid: string;
  command_text: string;
  issued_by: string;
  status: string;
  result: string | null;
  exit_code: number | null;
  created_at: string;
  expires_at: string;
}

async function createCommand(stack: Stack, deviceid: string, text: string): Promise<Command> {
  const response = await request<Command>(
    'POST',
    `${stack.mentor!.url}/devices/${deviceid}/commands`,
    { body: { command_text: text }, headers: await stack.asAdmin() },
  );
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body;
}

async function mentorCommand(stack: Stack, deviceid: string, commandid: string): Promise<Command> {
  const response = await request<Command>(
    'GET',
    `${stack.mentor!.url}/devices/${deviceid}/commands/${commandid}`,
    { headers: await stack.asAdmin() },
  );
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body;
}

async function devicesStatus(stack: Stack, commandid: string): Promise<string | undefined> {
  const { rows } = await stack.devicesDb.query<{ status: string }>(
    'SELECT status FROM commands WHERE commandid = $1',
    [commandid],
  );
  return rows[0]?.status;
}

/** What a test agent does: poll its pending commands. */
async function poll(stack: Stack, deviceid: string): Promise<Command[]> {
  const response = await request<Command[]>(
    'GET',
    `${stack.api}/devices/${deviceid}/commands/pending`,
    { headers: stack.asDevice(deviceid) },
  );
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body;
}

function report(
  stack: Stack,
  deviceid: string,
  commandid: string,
  body: Record<string, unknown>,
  headers = stack.asDevice(deviceid),
): Promise<{ status: number; body: unknown }> {
  return request('POST', `${stack.api}/devices/${deviceid}/commands/${commandid}/result`, {
    body,
    headers,
  });
}

/** Polls until the command shows up at the device (the mentor's hand-off went through). */
async function pollFor(stack: Stack, deviceid: string, commandid: string): Promise<Command> {
  return waitFor(async () => (await poll(stack, deviceid)).find((c) => c.commandid === commandid), {
    timeoutMs: 20_000,
    message: `command ${commandid} to reach ${deviceid}`,
  });
}

/** This Mentor's allow-list: the default one without `restart`. */
const ALLOWED = [
  'get_info',
  'status',
  'get_processes',
  'get_logs',
  'restart_service',
  'screenshot',
];

describe('Remote commands, mentor to device and back', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start('commands', {
      devicesEnv: { COMMAND_SWEEP_INTERVAL: '500ms' },
      mentorEnv: { COMMAND_SWEEP_INTERVAL: '500ms', COMMAND_ALLOWLIST: ALLOWED.join(',') },
    });
    await stack.registerDevice(AGENT);
    await stack.registerDevice(OTHER);
    // The mentor learns of the devices through forwarding.
    await waitFor(
      async () => {
        const { rows } = await stack.mentorDb.query('SELECT deviceid FROM devices');
        return rows.length === 2;
      },
      { message: 'devices to reach the mentor' },
    );
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('runs a command end to end under one commandid and shows every state at the mentor, live', async () => {
    const adminTicket = await request<{ ticket: string }>(
      'POST',
      `${stack.mentor!.url}/events/ticket`,
      { headers: await stack.asAdmin() },
    );
    const stream = await SseClient.open(
      `${stack.mentor!.url}/events?deviceid=${AGENT}&ticket=${adminTicket.body.ticket}`,
    );
    try {
      const created = await createCommand(stack, AGENT, 'get_info --verbose');
      assert.equal(created.status, 'pending');
      assert.equal(created.issued_by, 'admin');
      assert.equal(created.deviceid, AGENT);

      const polled = await pollFor(stack, AGENT, created.commandid);
      assert.equal(polled.command_text, 'get_info --verbose');
      assert.equal(polled.status, 'delivered');
      assert.equal(await devicesStatus(stack, created.commandid), 'delivered');
      // Delivered commands are not handed out again.
      assert.deepEqual(
        (await poll(stack, AGENT)).filter((c) => c.commandid === created.commandid),
        [],
      );

      const running = await report(stack, AGENT, created.commandid, { status: 'running' });
      assert.equal(running.status, 200, JSON.stringify(running.body));
      const done = await report(stack, AGENT, created.commandid, {
        status: 'completed',
        result: 'hostname: test\nos: linux',
        exit_code: 0,
      });
      assert.equal(done.status, 200, JSON.stringify(done.body));

      const atMentor = await waitFor(
        async () => {
          const command = await mentorCommand(stack, AGENT, created.commandid);
          return command.status === 'completed' ? command : undefined;
        },
        { message: 'the result to reach the mentor' },
      );
      assert.equal(atMentor.result, 'hostname: test\nos: linux');
      assert.equal(atMentor.exit_code, 0);
      assert.equal(atMentor.issued_by, 'admin');

      const seen = await waitFor(
        () => {
          const states = stream.events
            .filter((e) => e.event === 'command')
            .map((e) => (e.data as { records: Command[] }).records[0])
            .filter((r) => r.commandid === created.commandid)
            .map((r) => r.status);
          return states.includes('completed') ? states : undefined;
        },
        { message: 'command events on the stream' },
      );
      assert.equal(seen[0], 'pending');
      assert.ok(seen.includes('delivered'), seen.join());
    } finally {
      stream.close();
    }
  });

  it('lists a device’s commands newest first with their states', async () => {
    const first = await createCommand(stack, OTHER, 'status');
    const second = await createCommand(stack, OTHER, 'get_logs app');
    const response = await request<Command[]>(
      'GET',
      `${stack.mentor!.url}/devices/${OTHER}/commands?limit=2`,
      { headers: await stack.asAdmin() },
    );
    assert.equal(response.status, 200);
    assert.deepEqual(
      response.body.map((c) => c.commandid),
      [second.commandid, first.commandid],
    );
    const page2 = await request<Command[]>(
      'GET',
      `${stack.mentor!.url}/devices/${OTHER}/commands?limit=1&before=${encodeURIComponent(
        response.body[0].created_at,
      )}&before_id=${second.commandid}`,
      { headers: await stack.asAdmin() },
    );
    assert.deepEqual(
      page2.body.map((c) => c.commandid),
      [first.commandid],
    );
  });

  it('refuses commands outside the allow-list, for unknown devices, and from viewers', async () => {
    const headers = await stack.asAdmin();
    const refused = await request<{ details: { field: string }[] }>(
      'POST',
      `${stack.mentor!.url}/devices/${AGENT}/commands`,
      { body: { command_text: 'rm -rf /' }, headers },
    );
    assert.equal(refused.status, 400);
    assert.equal(refused.body.details[0].field, 'command_text');
    const unknown = await request('POST', `${stack.mentor!.url}/devices/no-such-device/commands`, {
      body: { command_text: 'status' },
      headers,
    });
    assert.equal(unknown.status, 404);
    await request('POST', `${stack.mentor!.url}/users`, {
      body: { username: 'watcher', password: 'watcher-password-123', role: 'viewer' },
      headers,
    });
    const viewer = bearer(
      (await login(stack.mentor!.url, 'watcher', 'watcher-password-123')).access_token,
    );
    const asViewer = await request('POST', `${stack.mentor!.url}/devices/${AGENT}/commands`, {
      body: { command_text: 'status' },
      headers: viewer,
    });
    assert.equal(asViewer.status, 403);
    const read = await request('GET', `${stack.mentor!.url}/devices/${AGENT}/commands`, {
      headers: viewer,
    });
    assert.equal(read.status, 200);
    const anonymous = await request('GET', `${stack.mentor!.url}/devices/${AGENT}/commands`);
    assert.equal(anonymous.status, 401);
  });

  it('tells any signed-in user which commands this Mentor accepts, and refuses the rest', async () => {
    const headers = await stack.asAdmin();
    await request('POST', `${stack.mentor!.url}/users`, {
      body: { username: 'reader', password: 'reader-password-123', role: 'viewer' },
      headers,
    });
    const viewer = bearer(
      (await login(stack.mentor!.url, 'reader', 'reader-password-123')).access_token,
    );
    const allowed = await request<{ commands: string[] }>(
      'GET',
      `${stack.mentor!.url}/commands/allowed`,
      { headers: viewer },
    );
    assert.equal(allowed.status, 200);
    assert.deepEqual(allowed.body.commands, ALLOWED);
    const anonymous = await request('GET', `${stack.mentor!.url}/commands/allowed`);
    assert.equal(anonymous.status, 401);
    // `restart` is in the default list but not in this Mentor's.
    const restart = await request('POST', `${stack.mentor!.url}/devices/${AGENT}/commands`, {
      body: { command_text: 'restart' },
      headers,
    });
    assert.equal(restart.status, 400);
  });

  it('answers 404 for an unknown command, 403 for another device’s command, 409 out of order', async () => {
    const created = await createCommand(stack, AGENT, 'get_processes');
    await waitFor(async () => (await devicesStatus(stack, created.commandid)) === 'pending', {
      message: 'the hand-off',
    });
    // Before the device polled it, a report is out of order.
    assert.equal(
      (await report(stack, AGENT, created.commandid, { status: 'running' })).status,
      409,
    );
    await pollFor(stack, AGENT, created.commandid);

    assert.equal((await report(stack, AGENT, randomUUID(), { status: 'running' })).status, 404);
    // Another device, with its own valid token on its own path, reporting on this command.
    assert.equal(
      (await report(stack, OTHER, created.commandid, { status: 'running' })).status,
      403,
    );
    // ... or on this device's path.
    const foreign = await report(
      stack,
      AGENT,
      created.commandid,
      { status: 'running' },
      stack.asDevice(OTHER),
    );
    assert.equal(foreign.status, 403);
    assert.equal((await report(stack, AGENT, created.commandid, { status: 'bogus' })).status, 400);
    const tooLong = await report(stack, AGENT, created.commandid, {
      status: 'completed',
      result: 'x'.repeat(65_537),
    });
    assert.equal(tooLong.status, 400);

    assert.equal(
      (await report(stack, AGENT, created.commandid, { status: 'running' })).status,
      200,
    );
    assert.equal(
      (await report(stack, AGENT, created.commandid, { status: 'running' })).status,
      200,
    );
    assert.equal(
      (await report(stack, AGENT, created.commandid, { status: 'failed', exit_code: 2 })).status,
      200,
    );
    assert.equal(
      (await report(stack, AGENT, created.commandid, { status: 'running' })).status,
      409,
    );
    assert.equal(
      (await report(stack, AGENT, created.commandid, { status: 'completed' })).status,
      409,
    );
    const atMentor = await waitFor(async () => {
      const command = await mentorCommand(stack, AGENT, created.commandid);
      return command.status === 'failed' ? command : undefined;
    });
    assert.equal(atMentor.exit_code, 2);
    const anonymous = await request('GET', `${stack.api}/devices/${AGENT}/commands/pending`);
    assert.equal(anonymous.status, 401);
  });

  it('delivers everything once the mentor is back after an outage between creation and result', async () => {
    const created = await createCommand(stack, AGENT, 'restart_service nginx');
    await waitFor(async () => (await devicesStatus(stack, created.commandid)) === 'pending', {
      message: 'the hand-off',
    });
    await stack.mentor!.stop();
    try {
      await pollFor(stack, AGENT, created.commandid);
      assert.equal(
        (await report(stack, AGENT, created.commandid, { status: 'running' })).status,
        200,
      );
      const done = await report(stack, AGENT, created.commandid, {
        status: 'completed',
        result: 'nginx restarted',
        exit_code: 0,
      });
      assert.equal(done.status, 200);
    } finally {
      await stack.mentor!.restart();
    }
    const atMentor = await waitFor(
      async () => {
        const command = await mentorCommand(stack, AGENT, created.commandid);
        return command.status === 'completed' ? command : undefined;
      },
      { timeoutMs: 20_000, message: 'the result after the outage' },
    );
    assert.equal(atMentor.result, 'nginx restarted');
    const { rows } = await stack.mentorDb.query(
      'SELECT count(*)::int AS n FROM commands WHERE commandid = $1',
      [created.commandid],
    );
    assert.equal(rows[0].n, 1);
  });

  it('keeps a command in the mentor outbox while Devices is down and hands it over when it returns', async () => {
    await stack.devices.stop();
    let created: Command;
    try {
      created = await createCommand(stack, AGENT, 'screenshot');
      const { rows } = await stack.mentorDb.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM outbox WHERE channel = 'devices' AND record_id = $1`,
        [created.commandid],
      );
      assert.equal(rows[0].n, 1);
    } finally {
      await stack.devices.restart();
    }
    const polled = await pollFor(stack, AGENT, created.commandid);
    assert.equal(polled.command_text, 'screenshot');
    await waitFor(
      async () => (await mentorCommand(stack, AGENT, created.commandid)).status === 'delivered',
      {
        message: 'delivered at the mentor',
      },
    );
  });
});

describe('Command expiry', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start('commands_expiry', {
      devicesEnv: { COMMAND_SWEEP_INTERVAL: '200ms' },
      mentorEnv: { COMMAND_TTL: '2s', COMMAND_SWEEP_INTERVAL: '200ms' },
    });
    await stack.registerDevice(AGENT);
    await waitFor(async () => {
      const { rows } = await stack.mentorDb.query('SELECT 1 FROM devices');
      return rows.length === 1;
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('expires a command the device never polls, on both sides', async () => {
    const created = await createCommand(stack, AGENT, 'get_info');
    assert.equal(Date.parse(created.expires_at) - Date.parse(created.created_at), 2000);
    await waitFor(async () => (await devicesStatus(stack, created.commandid)) === 'expired', {
      message: 'expiry at Devices',
    });
    await waitFor(
      async () => (await mentorCommand(stack, AGENT, created.commandid)).status === 'expired',
      {
        message: 'expiry at the mentor',
      },
    );
    assert.deepEqual(await poll(stack, AGENT), []);
  });

  it('refuses a result once a delivered command has expired', async () => {
    const created = await createCommand(stack, AGENT, 'status');
    await pollFor(stack, AGENT, created.commandid);
    await waitFor(async () => (await devicesStatus(stack, created.commandid)) === 'expired', {
      message: 'expiry at Devices',
    });
    assert.equal(
      (await report(stack, AGENT, created.commandid, { status: 'running' })).status,
      409,
    );
  });

  it('expires at the mentor a command Devices never received, and Devices stores it expired later', async () => {
    await stack.devices.stop();
    let created: Command;
    try {
      created = await createCommand(stack, AGENT, 'get_info');
      await waitFor(
        async () => (await mentorCommand(stack, AGENT, created.commandid)).status === 'expired',
        {
          message: 'expiry at the mentor',
        },
      );
    } finally {
      await stack.devices.restart();
    }
    await waitFor(async () => (await devicesStatus(stack, created.commandid)) === 'expired', {
      timeoutMs: 20_000,
      message: 'the late hand-off stored as expired',
    });
    assert.deepEqual(await poll(stack, AGENT), []);
  });
});
