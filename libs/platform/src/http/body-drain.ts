import type { FastifyReply } from 'fastify';

/** How much of a refused body is read and thrown away so the client can read the answer. */
export const DRAIN_CAP_BYTES = 64 * 1_048_576;
/** A refused body that stops arriving for this long is not waited for any more. */
const DRAIN_IDLE_MS = 10_000;

/**
 * Keeps reading (and throwing away) the rest of a request body that an error answered before
 * it was read: a declared length over the limit, a wrong content type, an upload refused while
 * it streams. Answered with `Connection: close`, Node destroys the socket as soon as the answer
 * is written, and a client still sending gets a reset (EPIPE) instead of the answer, the more
 * often the busier the machine. Instead the answer goes out on a connection that stays open
 * while the rest arrives, so every client can read it, whether it reads while it writes or only
 * after. Past `cap` bytes (or a declared length over it) the connection is closed: nobody has to
 * accept an endless body. Only error replies come here.
 */
export function drainUnreadBody(reply: FastifyReply, cap = DRAIN_CAP_BYTES): void {
  const raw = reply.request.raw;
  if (raw.complete || raw.readableEnded || raw.destroyed) return;
  if (Number(raw.headers['content-length']) > cap) {
    void reply.header('connection', 'close');
    return;
  }
  // Fastify asks to close after a body it refused; the connection is closed here instead, once
  // the body is read. A multipart parser still reading a refused upload stops parsing it.
  reply.removeHeader('connection');
  raw.unpipe();
  const socket = raw.socket;
  let drained = 0;
  const stop = (): void => {
    clearTimeout(idle);
    raw.removeListener('data', onData);
  };
  const onData = (chunk: Buffer): void => {
    drained += chunk.length;
    if (drained <= cap) {
      idle.refresh();
      return;
    }
    stop();
    socket.destroy();
  };
  const idle = setTimeout(() => {
    stop();
    socket.destroy();
  }, DRAIN_IDLE_MS);
  raw.on('data', onData);
  raw.once('end', stop);
  raw.once('close', stop);
  raw.on('error', stop);
  raw.resume();
}
