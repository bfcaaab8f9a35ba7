import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { listensOn } from './listening-process';

function listen(): Promise<Server> {
  const server = createServer();
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const portOf = (server: Server): number => (server.address() as { port: number }).port;

describe('listensOn', () => {
  it('finds the process that holds a listening socket, and no other', async () => {
    const server = await listen();
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      stdio: 'ignore',
    });
    try {
      expect(listensOn(process.pid, portOf(server))).toBe(true);
      // Another process, and the same process on a port nobody listens on.
      expect(listensOn(child.pid!, portOf(server))).toBe(false);
      const other = await listen();
      const unused = portOf(other);
      other.close();
      await once(other, 'close');
      expect(listensOn(process.pid, unused)).toBe(false);
    } finally {
      child.kill();
      server.close();
    }
  });
});
