import assert from 'node:assert/strict';
import { helmetHeaders } from './security-headers';

describe('helmetHeaders', () => {
  it("records the constant headers helmet's middleware sets, in lower case", () => {
    const headers = helmetHeaders();
    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.equal(headers['x-frame-options'], 'SAMEORIGIN');
    assert.equal(headers['cross-origin-resource-policy'], 'same-origin');
    assert.equal(headers['referrer-policy'], 'no-referrer');
    assert.match(headers['strict-transport-security'], /^max-age=\d+/);
    assert.equal(headers['content-security-policy'], undefined, 'set per route instead');
    assert.equal(headers['x-powered-by'], undefined);
    for (const name of Object.keys(headers)) assert.equal(name, name.toLowerCase());
  });

  it('gives the same headers each time, so they can be taken once', () => {
    assert.deepEqual(helmetHeaders(), helmetHeaders());
  });
});
