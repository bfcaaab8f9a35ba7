import * as net from 'node:net';

// Each Jest worker takes ports from its own block, below Linux's ephemeral range (32768 and up):
// a port reserved here and bound a few seconds later (a Devices port the Mentor must know first)
// can then be handed neither to another worker's service nor to an outgoing connection. With
// kernel-picked ports (port 0) both happened, and a test reached another test's service.
const BLOCK_SIZE = 1000;
const worker = Number(process.env.JEST_WORKER_ID) || 0;
const blockStart = 20_000 + (worker % 10) * BLOCK_SIZE;
let offset = Math.floor(Math.random() * BLOCK_SIZE);

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port }, () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port free on 127.0.0.1 now, from this worker's block and never handed out twice in a row
 * by this process; bind it soon.
 */
export async function freePort(): Promise<number> {
  for (let tried = 0; tried < BLOCK_SIZE; tried++) {
    const port = blockStart + (offset++ % BLOCK_SIZE);
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port in ${blockStart}-${blockStart + BLOCK_SIZE - 1}`);
}
