import { readFileSync } from 'node:fs';
import { parseNetDev } from './proc-parsers';

/**
 * Bytes received and sent (every interface but loopback) since the previous reading, from
 * /proc/net/dev. The first reading only sets the baseline; a counter that went backwards (an
 * interface gone or reset) counts from zero.
 */
export class NetworkCollector {
  private previous?: { rx: number; tx: number };

  constructor(private readonly file = '/proc/net/dev') {
    this.previous = this.read();
  }

  sample(): { in: number; out: number } | undefined {
    const now = this.read();
    const before = this.previous;
    this.previous = now;
    if (!now || !before) return undefined;
    return {
      in: now.rx >= before.rx ? now.rx - before.rx : now.rx,
      out: now.tx >= before.tx ? now.tx - before.tx : now.tx,
    };
  }

  private read(): { rx: number; tx: number } | undefined {
    try {
      return parseNetDev(readFileSync(this.file, 'utf8'));
    } catch {
      return undefined;
    }
  }
}
