/**
 * A TCP port nobody listens on right now, for the servers the tests, the harness and the
 * benchmarks start (the agent's /livez, the sidecar, Prometheus, ...). The kernel picks it: listen
 * on port 0 of 127.0.0.1, read the port, close. Loopback only, like every server started here.
 */
import * as net from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref(); // a pending probe never keeps a process alive
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}
