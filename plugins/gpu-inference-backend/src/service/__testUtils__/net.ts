import http from 'node:http';
import { AddressInfo } from 'node:net';

/** A local port that was just free: nothing listens there, a connection is refused. */
export async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>(r => probe.listen(0, '127.0.0.1', () => r()));
  const { port } = probe.address() as AddressInfo;
  await new Promise(r => probe.close(r));
  return port;
}
