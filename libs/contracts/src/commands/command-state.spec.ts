import assert from 'node:assert/strict';
import { checkReport, supersedes } from './command-state';

describe('checkReport (a device reporting progress)', () => {
  it('moves a delivered command to running, completed or failed', () => {
    assert.deepEqual(checkReport('delivered', 'running'), { ok: true, changed: true });
    assert.deepEqual(checkReport('delivered', 'completed'), { ok: true, changed: true });
    assert.deepEqual(checkReport('delivered', 'failed'), { ok: true, changed: true });
    assert.deepEqual(checkReport('running', 'completed'), { ok: true, changed: true });
    assert.deepEqual(checkReport('running', 'failed'), { ok: true, changed: true });
  });

  it('treats a repeated running report as harmless', () => {
    assert.deepEqual(checkReport('running', 'running'), { ok: true, changed: false });
  });

  it('refuses anything after a final state, repeats included', () => {
    for (const final of ['completed', 'failed', 'expired'] as const) {
      for (const next of ['running', 'completed', 'failed'] as const) {
        assert.equal(checkReport(final, next).ok, false, `${final} -> ${next}`);
      }
    }
  });

  it('refuses a report for a command the device has not polled yet', () => {
    assert.equal(checkReport('pending', 'running').ok, false);
  });
});

describe('supersedes (the mentor applying forwarded states)', () => {
  it('applies a state further along and ignores one behind or equal', () => {
    assert.equal(supersedes('pending', 'delivered'), true);
    assert.equal(supersedes('delivered', 'completed'), true);
    assert.equal(supersedes('completed', 'running'), false);
    assert.equal(supersedes('running', 'delivered'), false);
    assert.equal(supersedes('completed', 'completed'), false);
    assert.equal(supersedes('failed', 'expired'), false);
  });

  it('lets a devices-side state from before the deadline replace an expiry the mentor decided alone', () => {
    const expiresAt = new Date('2026-01-01T00:10:00Z');
    const before = new Date('2026-01-01T00:09:59Z');
    const after = new Date('2026-01-01T00:10:01Z');
    assert.equal(
      supersedes('expired', 'delivered', { expiredByMentor: true, nextAt: before, expiresAt }),
      true,
    );
    assert.equal(
      supersedes('expired', 'delivered', { expiredByMentor: true, nextAt: after, expiresAt }),
      false,
    );
    assert.equal(
      supersedes('expired', 'running', { expiredByMentor: false, nextAt: before, expiresAt }),
      false,
    );
    assert.equal(
      supersedes('expired', 'expired', { expiredByMentor: true, nextAt: before, expiresAt }),
      false,
    );
  });
});
