import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The error a write met, if the server reset the connection while the body was sent. */
  writeError?: string;
}

/**
 * A client that sends its whole body first and reads the answer only after (as many simple
 * HTTP clients do), over a plain socket. `body` yields the chunks; with `chunked` the body is
 * sent with Transfer-Encoding: chunked instead of a Content-Length. `pauseAfter` waits that
 * many milliseconds after the chunk of that index, so the server reads the body in two parts.
 */
export async function rawPost(
  url: string,
  options: {
    headers: Record<string, string>;
    chunks: Iterable<Buffer>;
    length?: number;
    chunked?: boolean;
    pauseAfter?: { index: number; ms: number };
  },
): Promise<RawAnswer> {
  const target = new URL(url);
  const socket = connect(Number(target.port), target.hostname);
  socket.setNoDelay(true);
  const received: Buffer[] = [];
  let writeError: string | undefined;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.on('error', (error: NodeJS.ErrnoException) => {
    writeError ??= error.code ?? error.message;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  // Nothing is read until the body is sent; the answer waits in the socket's buffer.
  socket.pause();
  const head = [`POST ${target.pathname} HTTP/1.1`, `Host: ${target.host}`];
  for (const [name, value] of Object.entries(options.headers)) head.push(`${name}: ${value}`);
  head.push(
    options.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${options.length ?? 0}`,
  );
  const write = (data: Buffer | string): Promise<void> =>
    new Promise((resolve) => {
      if (socket.destroyed) {
        resolve();
        return;
      }
      socket.write(data, (error) => {
        if (error) writeError ??= (error as NodeJS.ErrnoException).code ?? error.message;
        resolve();
      });
    });
  await write(`${head.join('\r\n')}\r\n\r\n`);
  let index = 0;
  for (const chunk of options.chunks) {
    if (writeError) break;
    await write(options.chunked ? `${chunk.length.toString(16)}\r\n` : '');
    await write(chunk);
    if (options.chunked) await write('\r\n');
    if (options.pauseAfter?.index === index) {
      await new Promise((resolve) => setTimeout(resolve, options.pauseAfter!.ms));
    }
    index++;
  }
  if (options.chunked && !writeError) await write('0\r\n\r\n');
  socket.resume();
  const answer = await new Promise<RawAnswer>((resolve) => {
    const check = (): void => {
      const all = Buffer.concat(received);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = all.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      if (all.length - end - 4 < length) return;
      resolve({
        status: Number(lines[0].split(' ')[1]),
        headers,
        body: all.subarray(end + 4, end + 4 + length).toString('utf8'),
        writeError,
      });
    };
    socket.on('data', check);
    check();
    void closed.then(() => {
      check();
      resolve({
        status: 0,
        headers: {},
        body: Buffer.concat(received).toString('utf8'),
        writeError,
      });
    });
  });
  socket.destroy();
  return answer;
}

/** `size` bytes in chunks of `chunk` bytes, all `fill`. */
export function* filledChunks(size: number, chunk = 64 * 1024, fill = 0x20): Iterable<Buffer> {
  const full = Buffer.alloc(chunk, fill);
  for (let sent = 0; sent < size; sent += chunk) {
    yield sent + chunk <= size ? full : full.subarray(0, size - sent);
  }
}
