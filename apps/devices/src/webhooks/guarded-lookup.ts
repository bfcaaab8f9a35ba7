import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { refusedRange } from './address-ranges';

/** A destination refused by the SSRF guard; its message says which address and why. */
export class RefusedAddressError extends Error {
  readonly code = 'EWEBHOOKREFUSED';
}

/** Why `host` (an IP literal) may not be called, or undefined when it may. */
export function refusedLiteral(host: string): string | undefined {
  if (isIP(host.replace(/^\[(.*)\]$/, '$1')) === 0) return undefined;
  const range = refusedRange(host);
  return range ? `${host} is a ${range} address: refused` : undefined;
}

/**
 * A `lookup` for connection agents that resolves the name and refuses it if any address lies
 * in a refused range. The socket connects to the very address checked here, so a name that
 * resolves differently a moment later (DNS rebinding) cannot slip past the check. IP literals
 * never reach a lookup: check them with refusedLiteral.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      if (!allowPrivate) {
        for (const { address } of addresses) {
          const range = refusedRange(address);
          if (range) {
            const refused = new RefusedAddressError(
              `${hostname} resolves to ${address}, a ${range} address: refused`,
            );
            return callback(refused, '', 0);
          }
        }
      }
      if (options.all) return (callback as AllCallback)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

type AllCallback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

/**
 * Keep-alive agents whose every new connection goes through guardedLookup. A kept-alive
 * connection was checked when it was opened, and its address cannot change.
 */
export function guardedAgents(allowPrivate: boolean): { http: HttpAgent; https: HttpsAgent } {
  const lookup = guardedLookup(allowPrivate);
  return {
    http: new HttpAgent({ keepAlive: true, lookup }),
    https: new HttpsAgent({ keepAlive: true, lookup }),
  };
}
