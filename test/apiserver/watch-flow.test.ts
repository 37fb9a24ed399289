// Watch streams follow the transport's backpressure: a client that reads
// gets every initial and replayed event however many MiB they are; one that
// stops reading is cut off with a stream error, never with a clean end that
// would hide missing events.
/* eslint-disable @typescript-eslint/no-unsafe-member-access */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { constants as h2 } from 'node:http2';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { h2session, req, watch } from './helpers.ts';
import type { Event } from './helpers.ts';

const C = '/api/v1/namespaces/default/configmaps';
const MiB = 1024 * 1024;
const COUNT = 12; // 12 MiB of events: more than the 8 MiB a watcher may leave unread
const value = (i: number): string => `${i}`.padEnd(MiB - 64, 'x');
/** Names sort as they are created (the server lists by key). */
const nameOf = (prefix: string, i: number): string => `${prefix}-${String(i).padStart(2, '0')}`;
const typeAndName = (e: Event): [string, string] => [e.type, String(e.object.metadata.name)];

async function createBig(server: ApiServer, prefix: string): Promise<void> {
  for (let i = 0; i < COUNT; i++) {
    const r = await req(server, 'POST', C, { body: { metadata: { name: nameOf(prefix, i) }, data: { v: value(i) } } });
    assert.equal(r.status, 201, r.text);
  }
}

async function take(w: { next(): Promise<Event> }, n: number): Promise<Event[]> {
  const out: Event[] = [];
  for (let i = 0; i < n; i++) out.push(await w.next());
  return out;
}

/** A watch over plain HTTP/1.1 (chunked), read line by line. */
function h1watch(server: ApiServer, path: string): Promise<{ next(): Promise<Event>; close(): void }> {
  return new Promise((resolve, reject) => {
    const queue: Event[] = [];
    const waiters: { ok: (e: Event) => void; fail: (err: Error) => void }[] = [];
    let ended = false;
    let partial = '';
    const r = httpRequest(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.token}` } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        partial += chunk;
        let nl: number;
        while ((nl = partial.indexOf('\n')) >= 0) {
          const ev = JSON.parse(partial.slice(0, nl)) as Event;
          partial = partial.slice(nl + 1);
          const w = waiters.shift();
          if (w) w.ok(ev);
          else queue.push(ev);
        }
      });
      res.on('error', () => undefined);
      res.once('close', () => {
        ended = true;
        for (const w of waiters.splice(0)) w.fail(new Error('watch ended before the next event'));
      });
      resolve({
        next: () => {
          const e = queue.shift();
          if (e !== undefined) return Promise.resolve(e);
          if (ended) return Promise.reject(new Error('watch ended before the next event'));
          return new Promise((ok, fail) => waiters.push({ ok, fail }));
        },
        close: () => r.destroy(),
      });
    });
    r.on('error', reject);
    r.end();
  });
}

describe('apiserver watch flow control', () => {
  it('HTTP/2: a reader that keeps up gets 12 MiB of initial ADDED events, then live ones', async () => {
    const server = await startApiServer();
    try {
      await createBig(server, 'init');
      const w = await watch(server, `${C}?watch=true`);
      const added = await take(w, COUNT);
      assert.deepEqual(added.map((e): [string, string, number] => [...typeAndName(e), Number(e.object.data.v.length)]), added.map((_, i) => ['ADDED', nameOf('init', i), MiB - 64]));
      await req(server, 'POST', C, { body: { metadata: { name: 'live' } } });
      const live = await w.next();
      assert.deepEqual([live.type, live.object.metadata.name], ['ADDED', 'live']);
      assert.equal(server.metrics().activeWatches, 1);
      w.close();
      await w.ended;
    } finally {
      await server.close();
    }
  });

  it('HTTP/1.1: a reader that keeps up gets 12 MiB of replayed events after its resourceVersion', async () => {
    const server = await startApiServer({ tls: false });
    try {
      const from = server.metrics().resourceVersion;
      await createBig(server, 'replay');
      const w = await h1watch(server, `${C}?watch=true&resourceVersion=${from}`);
      const events = await take(w, COUNT);
      assert.deepEqual(events.map(typeAndName), events.map((_, i) => ['ADDED', nameOf('replay', i)]));
      await req(server, 'DELETE', `${C}/${nameOf('replay', 0)}`);
      const live = await w.next();
      assert.deepEqual(typeAndName(live), ['DELETED', nameOf('replay', 0)]);
      w.close();
    } finally {
      await server.close();
    }
  });

  it('sendInitialEvents: changes made while the initial events are still going out come after the initial-events-end bookmark', async () => {
    const server = await startApiServer();
    const session = await h2session(server);
    try {
      await createBig(server, 'sie');
      const rv = Number(server.metrics().resourceVersion);
      const stream = session.request({
        ':path': `${C}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
        authorization: `Bearer ${server.token}`,
      });
      stream.pause(); // not read yet: the initial events wait on flow control
      await new Promise((resolve) => stream.once('response', resolve));
      await req(server, 'PUT', `${C}/${nameOf('sie', 3)}`, { body: { metadata: { name: nameOf('sie', 3) }, data: { v: 'changed' } } });
      const lines: Event[] = [];
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        partial += chunk;
        let nl: number;
        while ((nl = partial.indexOf('\n')) >= 0) {
          lines.push(JSON.parse(partial.slice(0, nl)) as Event);
          partial = partial.slice(nl + 1);
        }
        if (lines.length === COUNT + 2) stream.close();
      });
      stream.resume();
      await new Promise((resolve) => stream.once('close', resolve));
      assert.deepEqual(lines.slice(0, COUNT).map(typeAndName), lines.slice(0, COUNT).map((_, i) => ['ADDED', nameOf('sie', i)]));
      const bookmark = lines[COUNT];
      assert.equal(bookmark?.type, 'BOOKMARK');
      assert.equal(bookmark.object.metadata.resourceVersion, String(rv));
      assert.equal(bookmark.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
      const change = lines[COUNT + 1];
      assert.deepEqual([change?.type, change?.object.metadata.name, change?.object.data.v], ['MODIFIED', nameOf('sie', 3), 'changed']);
      assert.ok(Number(change?.object.metadata.resourceVersion) > rv);
    } finally {
      session.destroy();
      await server.close();
    }
  });

  it('a reader that stops during the initial events is reset (INTERNAL_ERROR) once 8 MiB of changes wait, not ended cleanly', async () => {
    const server = await startApiServer();
    const session = await h2session(server);
    try {
      await createBig(server, 'stall');
      const stream = session.request({ ':path': `${C}?watch=true`, authorization: `Bearer ${server.token}` });
      stream.pause();
      stream.on('error', () => undefined);
      await new Promise((resolve) => stream.once('response', resolve));
      const closed = new Promise((resolve) => stream.once('close', resolve));
      for (let i = 0; i < 10 && server.metrics().activeWatches > 0; i++) {
        const r = await req(server, 'PUT', `${C}/${nameOf('stall', i)}`, { body: { metadata: { name: nameOf('stall', i) }, data: { v: value(100 + i) } } });
        assert.equal(r.status, 200);
      }
      assert.equal(server.metrics().activeWatches, 0, 'cut off once more than 8 MiB of changes were queued');
      stream.resume();
      await closed;
      assert.equal(stream.rstCode, h2.NGHTTP2_INTERNAL_ERROR, 'the client sees an error, not a clean end');
    } finally {
      session.destroy();
      await server.close();
    }
  });

  it('a watch that times out while events still wait for the reader is reset, not ended cleanly', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const server = await startApiServer({ clock });
    const session = await h2session(server);
    try {
      await createBig(server, 'late');
      const stream = session.request({ ':path': `${C}?watch=true&timeoutSeconds=5`, authorization: `Bearer ${server.token}` });
      stream.pause();
      stream.on('error', () => undefined);
      await new Promise((resolve) => stream.once('response', resolve));
      const closed = new Promise((resolve) => stream.once('close', resolve));
      clock.step(5000);
      assert.equal(server.metrics().activeWatches, 0);
      stream.resume();
      await closed;
      assert.equal(stream.rstCode, h2.NGHTTP2_INTERNAL_ERROR);
    } finally {
      session.destroy();
      await server.close();
    }
  });
});
