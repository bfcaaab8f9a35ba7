import * as net from 'node:net';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago. The kernel picks it (port 0), so parallel
 * test files do not collide on a fixed port; bind it soon, as another process may take it.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      if (typeof address !== 'object' || !address) {
        server.close();
        reject(new Error('could not read the bound port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
