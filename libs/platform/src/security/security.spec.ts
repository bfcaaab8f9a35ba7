import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { FixedWindowLimiter } from './fixed-window-limiter';
import { bearerToken, matchesAny, safeEqual } from './safe-equal';
import { generateToken, hashToken, hashTokenHex } from './secret-token';

describe('generateToken and hashToken', () => {
  it('issues 256-bit base64url tokens that never repeat', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => generateToken()));
    assert.equal(tokens.size, 1000);
    for (const token of tokens) {
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(token, 'base64url').length, 32);
    }
  });

  it('stores the SHA-256 of a token, never the token itself', () => {
    const token = generateToken();
    const hash = hashToken(token);
    assert.equal(hash.length, 32);
    assert.deepEqual(hash, crypto.createHash('sha256').update(token).digest());
    assert.ok(!hash.toString('hex').includes(Buffer.from(token).toString('hex')));
    assert.notDeepEqual(hashToken(generateToken()), hash);
  });

  it('gives the same hash as hex for cache keys', () => {
    const token = generateToken();
    assert.equal(hashTokenHex(token), hashToken(token).toString('hex'));
  });
});

describe('safeEqual and matchesAny', () => {
  it('compares secrets of any length without throwing', () => {
    assert.equal(safeEqual('secret-value', 'secret-value'), true);
    assert.equal(safeEqual('secret-value', 'secret-valuf'), false);
    assert.equal(safeEqual('short', 'a much longer secret value'), false);
    assert.equal(safeEqual('', ''), true);
  });

  it('accepts any of several configured keys, for rotation, and nothing when none is presented', () => {
    const keys = ['old-operator-key-0123456789', 'new-operator-key-0123456789'];
    assert.equal(matchesAny('old-operator-key-0123456789', keys), true);
    assert.equal(matchesAny('new-operator-key-0123456789', keys), true);
    assert.equal(matchesAny('other-operator-key-012345678', keys), false);
    assert.equal(matchesAny(undefined, keys), false);
    assert.equal(matchesAny('', keys), false);
    assert.equal(matchesAny('anything', []), false);
  });

  it('compares fixed-size digests in constant time, whatever the values and wherever they differ', () => {
    // Timing itself is not asserted here (a loaded machine swings it); what makes the time
    // independent of the values is that only SHA-256 digests reach timingSafeEqual.
    const compare = jest.spyOn(crypto, 'timingSafeEqual');
    try {
      const secret = 'x'.repeat(64);
      for (const presented of ['x'.repeat(63) + 'y', 'y'.repeat(64), 'x', 'x'.repeat(500), '']) {
        assert.equal(safeEqual(presented, secret), false);
      }
      assert.equal(safeEqual(secret, secret), true);
      assert.equal(compare.mock.calls.length, 6);
      for (const [a, b] of compare.mock.calls) {
        assert.equal((a as Buffer).length, 32);
        assert.equal((b as Buffer).length, 32);
      }
    } finally {
      compare.mockRestore();
    }
  });

  it('reads a bearer token only from a well-formed Authorization header', () => {
    assert.equal(bearerToken('Bearer abc.def'), 'abc.def');
    assert.equal(bearerToken('bearer abc'), 'abc');
    assert.equal(bearerToken(['Bearer first', 'Bearer second']), 'first');
    assert.equal(bearerToken('Basic abc'), undefined);
    assert.equal(bearerToken('Bearer'), undefined);
    assert.equal(bearerToken('Bearer a b'), undefined);
    assert.equal(bearerToken(undefined), undefined);
  });
});

describe('FixedWindowLimiter', () => {
  it('holds a key off after the limit until its window ends, then lets it try again', () => {
    let now = 1_000_000;
    const limiter = new FixedWindowLimiter(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      assert.equal(limiter.retryAfterMs('ada'), 0);
      limiter.hit('ada');
    }
    assert.equal(limiter.retryAfterMs('ada'), 60_000);
    assert.equal(limiter.retryAfterMs('grace'), 0, 'other keys are not affected');
    now += 59_000;
    assert.equal(limiter.retryAfterMs('ada'), 1000);
    now += 1000;
    assert.equal(limiter.retryAfterMs('ada'), 0);
    assert.equal(limiter.hit('ada'), 1, 'a new window starts');
  });

  it('forgets a key on reset and stays bounded in memory', () => {
    const now = 0;
    const limiter = new FixedWindowLimiter(1, 1000, () => now, 100);
    limiter.hit('a');
    assert.ok(limiter.retryAfterMs('a') > 0);
    limiter.reset('a');
    assert.equal(limiter.retryAfterMs('a'), 0);
    for (let i = 0; i < 1000; i++) limiter.hit(`k${i}`);
    assert.ok((limiter as unknown as { windows: Map<string, unknown> }).windows.size <= 100);
  });
});
