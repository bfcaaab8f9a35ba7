import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/** Every secret the two services may generate for development, generated together once. */
export const DEV_SECRET_NAMES = [
  'ENROLLMENT_SECRET',
  'OPERATOR_API_KEY',
  'MENTOR_API_TOKEN',
  'ADMIN_PASSWORD',
  'JWT_SECRET',
] as const;
export type DevSecretName = (typeof DEV_SECRET_NAMES)[number];
export type DevSecrets = Record<DevSecretName, string>;

/**
 * Development credentials live in `<dataDir>/secrets.json` (mode 0600), created at first start.
 * Both services of one checkout read the same file, so the service token they share matches.
 * The file is created complete and atomically (write a temp file, then hard-link it into
 * place, which fails if another process won the race), so a reader never sees half of it.
 */
export function loadOrCreateDevSecrets(dataDir: string): { secrets: DevSecrets; path: string } {
  const path = join(dataDir, 'secrets.json');
  if (!existsSync(path)) {
    // The file protects itself (0600); the folder stays open so that, as root, the postgres
    // user can reach the embedded clusters kept beside it.
    mkdirSync(dataDir, { recursive: true });
    const secrets = Object.fromEntries(
      DEV_SECRET_NAMES.map((name) => [name, randomBytes(24).toString('base64url')]),
    );
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, JSON.stringify(secrets, null, 2) + '\n');
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temp);
    }
  }
  const secrets = JSON.parse(readFileSync(path, 'utf8')) as Partial<DevSecrets>;
  for (const name of DEV_SECRET_NAMES) {
    if (!secrets[name])
      throw new Error(`${path} is missing ${name}; delete the file to regenerate it`);
  }
  return { secrets: secrets as DevSecrets, path };
}
