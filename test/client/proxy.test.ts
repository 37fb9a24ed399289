import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { describe, it } from 'node:test';
import { createClient } from '../../src/client/index.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { sendJson, startTestServer } from './helpers/test-server.ts';

/** An HTTP CONNECT proxy on 127.0.0.1 that counts tunnels. */
async function startConnectProxy(): Promise<{ url: string; tunnels: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let tunnels = 0;
  const server = http.createServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  server.on('connect', (req: http.IncomingMessage, client: Socket, head: Buffer) => {
    tunnels++;
    const [host = '', port = ''] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels: () => tunnels,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

describe('proxy-url', () => {
  it('reaches the server through the KubeConfig proxy (HTTP/1.1 over a CONNECT tunnel) with the TLS identity and token', async () => {
    const server = await startTestServer({ handler: (_req, res) => sendJson(res, 200, { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'x' } }) });
    const proxy = await startConnectProxy();
    const client = createClient(server.kubeConfig({ token: 'via-proxy' }, { proxyUrl: proxy.url }), { clock: new FakeClock() });
    try {
      assert.equal((await client.resource('secrets').getObject('ns', 'x', {})).metadata?.name, 'x');
      assert.equal(proxy.tunnels(), 1);
      assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer via-proxy');
      assert.equal(server.requests.at(-1)?.httpVersion, '1.1');
    } finally {
      await client.close();
      await proxy.close();
      await server.close();
    }
  });
});
