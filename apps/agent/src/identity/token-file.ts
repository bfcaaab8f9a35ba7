import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/** Where a device token is kept between runs. */
export interface TokenStore {
  load(): string | undefined;
  save(token: string): void;
  clear(): void;
}

/**
 * The device token in a file only its owner can read (0600, in a 0700 folder), written to a
 * temporary file, fsynced and renamed, so a crash leaves the old token or the new one.
 */
export class TokenFile implements TokenStore {
  constructor(readonly file: string) {}

  load(): string | undefined {
    try {
      const token = readFileSync(this.file, 'utf8').trim();
      return token === '' ? undefined : token;
    } catch {
      return undefined;
    }
  }

  save(token: string): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.tmp-${process.pid}`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${token}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // The mode given to open is filtered by the umask; make it exact.
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }

  clear(): void {
    rmSync(this.file, { force: true });
  }
}
