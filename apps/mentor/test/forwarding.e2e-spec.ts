import { bearer, login } from '@app/testing/auth';
import { request } from '@app/testing/http-client';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

const DEVICE = 'fwd-view-device';

interface DeadLetterView {
  id: string;
  type: string;
  record_id: string;
  reason: string;
}

interface ErrorView {
  statusCode: number;
  message: string;
}

/**
 * The Mentor's forwarding view: Devices' backlog and dead letters read over Devices' internal
 * route with the service token, so a signed-in user sees them without an operator key.
 */
describe('Forwarding view through the Mentor', () => {
  let stack: Stack;
  let admin: Record<string, string>;
  let viewer: Record<string, string>;
  const poisoned = new Set<string>();

  const mentor = (path: string): string => `${stack.mentor!.url}${path}`;

  beforeAll(async () => {
    stack = await Stack.start('forwarding_view', { proxy: true });
    await stack.setUp(async () => {
      // The proxy refuses any request carrying a poisoned id, as a Mentor refuses a record it
      // cannot accept, so Devices dead-letters it.
      stack.proxy!.rule = (_path, body) =>
        [...poisoned].some((id) => body.includes(id))
          ? { kind: 'respond', status: 422, body: { statusCode: 422, message: 'refused record' } }
          : { kind: 'pass' };
      await stack.registerDevice(DEVICE);
      admin = await stack.asAdmin();
      const created = await request('POST', mentor('/users'), {
        headers: admin,
        body: { username: 'fwd-viewer', password: 'fwd-viewer-password', role: 'viewer' },
      });
      assert.equal(created.status, 201);
      viewer = bearer(
        (await login(stack.mentor!.url, 'fwd-viewer', 'fwd-viewer-password')).access_token,
      );
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('shows a viewer the backlog and the dead letters with their reasons', async () => {
    const ids = [randomUUID(), randomUUID()];
    poisoned.add(ids[1]);
    const posted = await request('POST', `${stack.api}/devices/${DEVICE}/metrics`, {
      headers: stack.asDevice(DEVICE),
      body: ids.map((id) => ({ id, cpu_usage: 5 })),
    });
    assert.equal(posted.status, 201);

    const dead = await waitFor(
      async () => {
        const response = await request<DeadLetterView[]>(
          'GET',
          mentor('/forwarding/dead-letters?type=metrics'),
          { headers: viewer },
        );
        assert.equal(response.status, 200);
        return response.body.length === 1 ? response.body[0] : undefined;
      },
      { message: 'the dead letter in the Mentor’s view' },
    );
    assert.equal(dead.record_id, ids[1]);
    assert.match(dead.reason, /422/);

    const backlog = await waitFor(async () => {
      const response = await request<{ pending: number; dead_letters: number; enabled: boolean }>(
        'GET',
        mentor('/forwarding/backlog'),
        { headers: viewer },
      );
      assert.equal(response.status, 200);
      return response.body.pending === 0 ? response.body : undefined;
    });
    assert.equal(backlog.dead_letters, 1);
    assert.equal(backlog.enabled, true);

    const otherType = await request<DeadLetterView[]>(
      'GET',
      mentor('/forwarding/dead-letters?type=alerts&limit=5'),
      { headers: viewer },
    );
    assert.deepEqual(otherType.body, []);
  });

  it('lets an admin replay a dead letter, which then reaches the Mentor, and refuses a viewer', async () => {
    const list = await request<DeadLetterView[]>('GET', mentor('/forwarding/dead-letters'), {
      headers: admin,
    });
    const [dead] = list.body;
    poisoned.clear();

    const refused = await request<ErrorView>('POST', mentor('/forwarding/dead-letters/replay'), {
      headers: viewer,
      body: { ids: [dead.id] },
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.statusCode, 403);

    const replay = await request<{ replayed: number }>(
      'POST',
      mentor('/forwarding/dead-letters/replay'),
      { headers: admin, body: { ids: [dead.id] } },
    );
    assert.equal(replay.status, 202);
    assert.deepEqual(replay.body, { replayed: 1 });
    await waitFor(async () => (await stack.mentorIds('metrics')).includes(dead.record_id), {
      message: 'the replayed record at the Mentor',
    });
    const after = await request<DeadLetterView[]>('GET', mentor('/forwarding/dead-letters'), {
      headers: admin,
    });
    assert.deepEqual(after.body, []);
  });

  it('refuses a bad query or replay selector with a 400 in the error shape', async () => {
    const badType = await request<ErrorView>('GET', mentor('/forwarding/dead-letters?type=bogus'), {
      headers: viewer,
    });
    assert.equal(badType.status, 400);
    assert.equal(badType.body.statusCode, 400);
    const badLimit = await request('GET', mentor('/forwarding/dead-letters?limit=0'), {
      headers: viewer,
    });
    assert.equal(badLimit.status, 400);
    for (const body of [{}, { all: true, type: 'metrics' }, { ids: ['not-an-id'] }]) {
      const response = await request<ErrorView>('POST', mentor('/forwarding/dead-letters/replay'), {
        headers: admin,
        body,
      });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.body.statusCode, 400);
      assert.equal(typeof response.body.message, 'string');
    }
  });

  it('answers 503 naming the Devices service while it is down, and recovers when it is back', async () => {
    await stack.devices.stop();
    try {
      for (const [method, path, body] of [
        ['GET', '/forwarding/backlog', undefined],
        ['GET', '/forwarding/dead-letters', undefined],
        ['POST', '/forwarding/dead-letters/replay', { all: true }],
      ] as const) {
        const response = await request<ErrorView>(method, mentor(path), { headers: admin, body });
        assert.equal(response.status, 503, `${method} ${path}`);
        assert.match(response.body.message, /Devices service is unavailable/);
      }
    } finally {
      await stack.devices.restart();
    }
    const back = await request('GET', mentor('/forwarding/backlog'), { headers: viewer });
    assert.equal(back.status, 200);
  });
});
