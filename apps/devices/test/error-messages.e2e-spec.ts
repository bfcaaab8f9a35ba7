import { bearer, login } from '@app/testing/auth';
import { request } from '@app/testing/http-client';
import {
  TEST_ADMIN_PASSWORD,
  TEST_ENROLLMENT_SECRET,
  TEST_OPERATOR_KEY,
  TEST_SERVICE_TOKEN,
} from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

const DEVICE = 'messages-device';
const ENROL = { 'x-enrollment-secret': TEST_ENROLLMENT_SECRET };

interface ErrorAnswer {
  statusCode: number;
  message: string;
  details?: { field: string; errors: string[] }[] | Record<string, unknown>;
}

describe('Error answers that tell a client what to fix', () => {
  let stack: Stack;
  let admin: Record<string, string>;

  beforeAll(async () => {
    stack = await Stack.start('error_messages', {
      forward: false,
      mentorEnv: { LOGIN_MAX_FAILURES_PER_USER: '2' },
    });
    await stack.registerDevice(DEVICE);
    admin = bearer((await login(stack.mentor!.url, 'admin', TEST_ADMIN_PASSWORD)).access_token);
  });

  afterAll(async () => {
    await stack?.close();
  });

  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    request<ErrorAnswer & { ignored_fields?: string[] }>('POST', url, { body, headers });

  /** Every JSON write route of both services, with credentials that pass. */
  function routes(): [string, () => Record<string, string>][] {
    const devices = stack.devices.url;
    const mentor = stack.mentor!.url;
    return [
      [`${devices}/api/v1/devices/${DEVICE}/metrics`, () => stack.asDevice(DEVICE)],
      [`${devices}/api/v1/devices/${DEVICE}/processes`, () => stack.asDevice(DEVICE)],
      [`${devices}/api/v1/devices/register`, () => ENROL],
      [
        `${devices}/api/v1/devices/${DEVICE}/commands/${randomUUID()}/result`,
        () => stack.asDevice(DEVICE),
      ],
      [
        `${devices}/api/v1/forwarding/dead-letters/replay`,
        () => ({ 'x-api-key': TEST_OPERATOR_KEY }),
      ],
      [`${mentor}/auth/login`, () => ({})],
      [`${mentor}/devices/metrics`, () => bearer(TEST_SERVICE_TOKEN)],
      [`${mentor}/devices/${DEVICE}/commands`, () => admin],
    ];
  }

  it('answers a wrong content type and malformed JSON with one message on every route', async () => {
    for (const [url, headers] of routes()) {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
        const answer = await request<ErrorAnswer>('POST', url, {
          raw: 'cpu_usage=1',
          headers: { ...headers(), 'content-type': type },
        });
        assert.equal(answer.status, 415, `${type} to ${url}`);
        assert.equal(answer.body.message, 'Unsupported content type; send application/json', url);
      }
      for (const raw of ['{"cpu_usage":', '{cpu_usage: 1}', '[1,]']) {
        const answer = await request<ErrorAnswer>('POST', url, {
          raw,
          headers: { ...headers(), 'content-type': 'application/json' },
        });
        assert.equal(answer.status, 400, `${raw} to ${url}`);
        assert.equal(answer.body.message, 'Request body is not valid JSON', `${raw} to ${url}`);
      }
    }
  });

  it('says a required field is missing, once', async () => {
    const answer = await post(
      `${stack.api}/devices/${DEVICE}/activities`,
      [{ description: 'typing' }],
      stack.asDevice(DEVICE),
    );
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body.details, [
      { field: '[0].activity_type', errors: ['activity_type is missing'] },
    ]);
    const register = await post(`${stack.api}/devices/register`, { device_name: 'x' }, ENROL);
    assert.equal(register.status, 400);
    assert.deepEqual(register.body.details, [
      { field: 'deviceid', errors: ['deviceid is missing'] },
    ]);
  });

  it('gives the allowed range, or the wrong type alone, without repeating every rule', async () => {
    const url = `${stack.api}/devices/${DEVICE}/metrics`;
    const cases: [unknown, string, string[]][] = [
      [{ cpu_usage: 150 }, '[0].cpu_usage', ['cpu_usage must be between 0 and 100']],
      [{ cpu_usage: -1 }, '[0].cpu_usage', ['cpu_usage must be between 0 and 100']],
      [{ cpu_temp: 500 }, '[0].cpu_temp', ['cpu_temp must be between -100 and 200']],
    ];
    for (const [body, field, errors] of cases) {
      const answer = await post(url, body, stack.asDevice(DEVICE));
      assert.equal(answer.status, 400);
      assert.deepEqual(answer.body.details, [{ field, errors }]);
    }
    const wrongType = await post(url, { cpu_usage: 'high' }, stack.asDevice(DEVICE));
    assert.equal(wrongType.status, 400);
    const details = wrongType.body.details as { field: string; errors: string[] }[];
    assert.equal(details.length, 1);
    assert.equal(details[0].errors.length, 1, JSON.stringify(details));
    assert.match(details[0].errors[0], /cpu_usage must be a number/);
    const long = await post(
      `${stack.api}/devices/${DEVICE}/activities`,
      { activity_type: 'x'.repeat(65) },
      stack.asDevice(DEVICE),
    );
    assert.deepEqual(long.body.details, [
      {
        field: '[0].activity_type',
        errors: ['activity_type must be between 1 and 64 characters long'],
      },
    ]);
  });

  it('never shows a regular expression', async () => {
    const operator = { 'x-api-key': TEST_OPERATOR_KEY };
    const answers = [
      await request('GET', `${stack.api}/forwarding/dead-letters?before=abc`, {
        headers: operator,
      }),
      await post(`${stack.api}/forwarding/dead-letters/replay`, { ids: ['x1'] }, operator),
      await post(`${stack.api}/devices/register`, { deviceid: 'not a device id!' }, ENROL),
      await post(
        `${stack.mentor!.url}/devices/metrics`,
        [{ id: randomUUID(), deviceid: 'bad id!', timestamp: new Date().toISOString() }],
        bearer(TEST_SERVICE_TOKEN),
      ),
    ];
    for (const answer of answers) {
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      const text = JSON.stringify(answer.body);
      assert.doesNotMatch(text, /regular expression|\^|\\\\d|\{1,/, text);
    }
  });

  it('refuses a record with no known field and names the fields it ignored', async () => {
    const url = `${stack.api}/devices/${DEVICE}/metrics`;
    const count = async () =>
      Number(
        (
          await stack.devicesDb.query<{ n: string }>(
            'SELECT count(*) AS n FROM metrics WHERE deviceid = $1',
            [DEVICE],
          )
        ).rows[0].n,
      );
    const before = await count();
    for (const body of [{ foo: 1 }, [{ cpu_usage: 5 }, { cpuusage: 5 }], {}]) {
      const answer = await post(url, body, stack.asDevice(DEVICE));
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.match(answer.body.message, /none of the known fields/);
    }
    assert.equal(await count(), before);

    const typo = await post(
      `${stack.api}/devices/${DEVICE}/activities`,
      { activity_type: 'app_focus', app_name: 'vim', future_field: 1 },
      stack.asDevice(DEVICE),
    );
    assert.equal(typo.status, 201);
    assert.deepEqual(typo.body.ignored_fields?.sort(), ['app_name', 'future_field']);
    const clean = await post(url, { cpu_usage: 5 }, stack.asDevice(DEVICE));
    assert.equal(clean.status, 201);
    assert.equal('ignored_fields' in clean.body, false);
    assert.equal(await count(), before + 1);
  });

  it('answers every 429 with Retry-After and details.retry_after', async () => {
    let refused: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 5 && !refused; i++) {
      const answer = await post(`${stack.mentor!.url}/auth/login`, {
        username: 'nobody',
        password: 'wrong-password',
      });
      if (answer.status === 429) refused = answer;
    }
    assert.ok(refused, 'sign-in was held off');
    const seconds = Number(refused.headers.get('retry-after'));
    assert.ok(seconds >= 1);
    assert.deepEqual(refused.body.details, { retry_after: seconds });
  });
});
