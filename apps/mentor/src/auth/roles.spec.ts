import assert from 'node:assert/strict';
import { hasRole } from './roles';

describe('hasRole', () => {
  it('lets an admin use admin and viewer routes', () => {
    assert.equal(hasRole('admin', ['admin']), true);
    assert.equal(hasRole('admin', ['viewer']), true);
  });

  it('keeps a viewer out of admin routes', () => {
    assert.equal(hasRole('viewer', ['viewer']), true);
    assert.equal(hasRole('viewer', ['admin']), false);
    assert.equal(hasRole('viewer', ['admin', 'viewer']), true);
  });

  it('grants nothing to an unknown role, and every role passes a route without requirement', () => {
    assert.equal(hasRole('root', ['viewer']), false);
    assert.equal(hasRole('__proto__', ['viewer']), false);
    assert.equal(hasRole('constructor', ['admin']), false);
    assert.equal(hasRole('viewer', []), true);
  });
});
