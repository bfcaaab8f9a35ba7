import { Backoff } from './backoff';

describe('Backoff', () => {
  it('waits 1, 2, 4, 8 and 16 s after consecutive failures, then between half the cap and the cap', () => {
    const randoms = [0, 0.5, 0.999];
    const backoff = new Backoff(60_000, () => randoms.shift() ?? 0);
    expect([1, 2, 3, 4, 5].map(() => backoff.fail())).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(backoff.fail()).toBe(30_000);
    expect(backoff.fail()).toBe(45_000);
    expect(backoff.fail()).toBe(59_970);
    expect(backoff.attempts).toBe(8);
  });

  it('starts again at 1 s after a success', () => {
    const backoff = new Backoff(60_000);
    backoff.fail();
    backoff.fail();
    backoff.reset();
    expect(backoff.fail()).toBe(1000);
  });

  it('never waits longer than the cap, and at least what the server asked for', () => {
    const backoff = new Backoff(3000, () => 0.5);
    expect([1, 2, 3].map(() => backoff.fail())).toEqual([1000, 2000, 3000]);
    expect(new Backoff(60_000).fail(7000)).toBe(7000);
  });
});
