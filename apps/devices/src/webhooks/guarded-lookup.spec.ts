import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { guardedLookup, refusedLiteral } from './guarded-lookup';

function resolve(allowPrivate: boolean, host: string): Promise<LookupAddress[]> {
  return new Promise((done, fail) =>
    guardedLookup(allowPrivate)(host, { all: true }, (error, addresses) =>
      error ? fail(error) : done(addresses as unknown as LookupAddress[]),
    ),
  );
}

describe('guardedLookup', () => {
  it('refuses a name that resolves to a loopback address and says which', async () => {
    await assert.rejects(resolve(false, 'localhost'), /localhost resolves to .+ loopback address/);
  });

  it('resolves the same name when private addresses are allowed', async () => {
    const addresses = await resolve(true, 'localhost');
    assert.ok(addresses.length > 0);
  });

  it('refuses IP literals in refused ranges and lets public ones through', () => {
    assert.match(refusedLiteral('127.0.0.1') ?? '', /loopback/);
    assert.match(refusedLiteral('169.254.169.254') ?? '', /cloud metadata/);
    assert.equal(refusedLiteral('93.184.216.34'), undefined);
  });
});
