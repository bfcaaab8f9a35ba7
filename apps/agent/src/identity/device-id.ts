import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

const DEVICE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * This device's id: the one given, else the one kept in the state dir, else a new one from
 * the host name and the machine id (or random bytes), kept for the next run.
 */
export function resolveDeviceId(file: string, given?: string): string {
  if (given !== undefined) {
    if (!DEVICE_ID.test(given)) {
      throw new Error('--device-id: 1-64 characters of A-Z a-z 0-9 . _ : -');
    }
    return given;
  }
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (DEVICE_ID.test(kept)) return kept;
  } catch {
    // first run
  }
  const host =
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 40) || 'device';
  const id = `${host}-${machineSuffix()}`;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return id;
}

function machineSuffix(): string {
  for (const file of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const id = readFileSync(file, 'utf8').trim();
      if (id) return createHash('sha256').update(id).digest('hex').slice(0, 12);
    } catch {
      // not this one
    }
  }
  return randomBytes(6).toString('hex');
}
