import assert from 'node:assert/strict';
import { PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(10);

  it('stores a salted bcrypt hash that verifies only the right password', async () => {
    const a = await hasher.hash('correct horse battery');
    const b = await hasher.hash('correct horse battery');
    assert.match(a, /^\$2[aby]\$10\$/);
    assert.notEqual(a, b, 'salted');
    assert.ok(!a.includes('correct horse'));
    assert.equal(await hasher.verify('correct horse battery', a), true);
    assert.equal(await hasher.verify('correct horse batterz', a), false);
  });

  it('refuses any password for an unknown user, after the same work', async () => {
    assert.equal(await hasher.verify('raqeem-dummy-password', undefined), false);
    assert.equal(await hasher.verify('anything', undefined), false);
  });
});
