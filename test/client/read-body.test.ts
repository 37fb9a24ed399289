// readBody must return every byte of a body that is complete, however late
// it starts reading: on Node.js >= 24.20 a stream's async iterator throws
// "Premature close" for an HTTP/2 stream closed before the loop started.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { readBody } from '../../src/client/read-body.ts';
import type { TransportResponse } from '../../src/client/transport.ts';

function responseOf(stream: http2.ClientHttp2Stream): TransportResponse {
  return {
    status: 200,
    retryAfter: undefined,
    body: stream,
    destroy: (err?: Error) => stream.destroy(err),
    observe: () => assert.fail('not used'),
  };
}

test('a complete HTTP/2 body is read whole even when reading starts after the stream closed', async () => {
  const server = http2.createServer();
  server.on('stream', (stream) => {
    stream.respond({ ':status': 200 });
    stream.end('{"kind":"Secret"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    for (let i = 0; i < 10; i++) {
      const stream = client.request({ ':path': '/' });
      stream.end();
      await new Promise((resolve) => stream.once('response', resolve));
      // Let the stream close at the HTTP/2 level before reading begins.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal((await readBody(responseOf(stream), 1024)).toString(), '{"kind":"Secret"}', `attempt ${i}`);
    }
  } finally {
    client.close();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a body cut before its end is an error, not a short answer', async () => {
  const server = http2.createServer();
  server.on('stream', (stream) => {
    stream.on('error', () => undefined);
    stream.respond({ ':status': 200 });
    // The connection dies mid-body.
    stream.write('{"kind":', () => setImmediate(() => stream.session?.destroy()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    const stream = client.request({ ':path': '/' });
    stream.end();
    await new Promise((resolve) => stream.once('response', resolve));
    stream.on('error', () => undefined);
    await assert.rejects(readBody(responseOf(stream), 1024));
  } finally {
    client.close();
    await new Promise((resolve) => server.close(resolve));
  }
});
