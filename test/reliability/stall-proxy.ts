// A TCP proxy that can black-hole the connections open through it: bytes
// stop flowing both ways but the sockets stay open, as when a NAT or load
// balancer forgets a connection. New connections flow normally.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface StallProxy {
  /** The port the proxy listens on (127.0.0.1). */
  port: number;
  /** Stops every byte on the connections open now, both ways; returns how many. */
  stallOpenConnections(): number;
  /** Connections open through the proxy. */
  readonly openConnections: number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  stalled: boolean;
}

export async function startStallProxy(targetPort: number): Promise<StallProxy> {
  const pairs = new Set<Pair>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: Pair = { client, upstream, stalled: false };
    pairs.add(pair);
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (!pair.stalled) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!pair.stalled) client.write(chunk);
    });
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('stall proxy: no port');
  return {
    port: address.port,
    stallOpenConnections() {
      for (const pair of pairs) pair.stalled = true;
      return pairs.size;
    },
    get openConnections() {
      return pairs.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) {
          pair.client.destroy();
          pair.upstream.destroy();
        }
        pairs.clear();
        server.close(() => resolve());
      }),
  };
}
