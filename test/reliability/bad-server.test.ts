// A server that answers badly: malformed watch lines, watch events without
// objects or of unknown types, non-JSON error bodies (with secret-looking
// text in them), 200s that are not JSON or have no items. The watching
// manager recovers from each with a clear error that quotes neither the body
// nor the token, and ends holding exactly the server's state.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createClient, newWatchingSecretManager, type ReflectorError } from '../../src/index.ts';
import { FakeClock } from '../../src/testing.ts';
import { eventually } from '../helpers/eventually.ts';
import { sendJson, startTestServer, type TestResponse } from '../client/helpers/test-server.ts';
import { trapUnhandledRejections } from './harness.ts';

const trap = trapUnhandledRejections();
after(() => trap.check());

const ns = 'shop';
const token = 'tok-never-printed-7f3a9c';
const leak = 'hunter2-leaked-body';

function secretAt(rv: number, value: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: ns, name: 'db', resourceVersion: String(rv) }, data: { v: Buffer.from(value).toString('base64') } };
}

type Step = (res: TestResponse) => void;

const watchLines = (...lines: string[]): Step => (res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  for (const line of lines) res.write(`${line}\n`);
  // Left open: the client ends it after the bad line.
};

test('malformed watch lines and non-JSON error bodies: clear errors, nothing leaked, the cache ends at the server state', { timeout: 120_000 }, async () => {
  let current = secretAt(5, 'one');
  const listSteps: Step[] = [
    (res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end(`<html><body>proxy error ${leak}</body></html>`);
    },
    (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"kind": "SecretList", "items": [ ${leak}`);
    },
    (res) => sendJson(res, 200, { kind: 'SecretList', metadata: { resourceVersion: '5' } }),
    (res) => {
      res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '1' });
      res.end(`slow down ${leak}`);
    },
  ];
  const watchSteps: Step[] = [
    watchLines(`this is not json ${leak}`),
    watchLines('{"type":"ADDED"}'),
    watchLines('{"type":"MODIFIED","object":null}'),
    watchLines(JSON.stringify({ type: 'SURPRISE', object: secretAt(6, leak) })),
    watchLines('[1,2,3]'),
    (res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: leak }));
    },
    (res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(leak);
    },
  ];
  const open = new Set<TestResponse>();
  const server = await startTestServer({
    handler: (req, res) => {
      const url = new URL(req.url ?? '/', 'https://x');
      if (url.searchParams.get('watch') === '1') {
        const step = watchSteps.shift();
        if (step !== undefined) return step(res);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('\n');
        open.add(res);
        res.on('close', () => open.delete(res));
        return;
      }
      const step = listSteps.shift();
      if (step !== undefined) return step(res);
      sendJson(res, 200, { kind: 'SecretList', apiVersion: 'v1', metadata: { resourceVersion: current.metadata === undefined ? '' : String((current.metadata as { resourceVersion: string }).resourceVersion) }, items: [current] });
    },
  });
  const clock = new FakeClock();
  const client = createClient(server.kubeConfig({ token }), { clock, watchList: false });
  const controller = new AbortController();
  const errors: ReflectorError[] = [];
  const secrets = newWatchingSecretManager(client, 60_000, { clock, signal: controller.signal, onError: (e) => errors.push(e), syncTimeoutMs: 600_000 });
  const pod = { metadata: { namespace: ns, name: 'p', uid: 'uid-1' }, spec: { containers: [], volumes: [{ name: 'v', secret: { secretName: 'db' } }] } };
  const value = async (): Promise<string> => Buffer.from((await secrets.getSecret(ns, 'db')).data?.['v'] ?? '', 'base64').toString();
  let lastRv = 0;
  const monotonic = async (): Promise<string> => {
    const s = await secrets.getSecret(ns, 'db');
    const rv = Number(s.metadata?.resourceVersion);
    assert.ok(rv >= lastRv, `resourceVersion went back from ${lastRv} to ${rv}`);
    lastRv = rv;
    return value();
  };
  /** Steps the fake clock (retries and backoff wait on it) until `promise` settles. */
  const stepUntil = async <T>(promise: Promise<T>): Promise<T> => {
    let settled = false;
    const mark = (): void => {
      settled = true;
    };
    promise.then(mark, mark);
    while (!settled) {
      clock.step(250);
      await new Promise<void>((resolve) => setTimeout(resolve, 5));
    }
    return promise;
  };
  try {
    secrets.registerPod(pod);
    // The first get waits through every bad list answer (and the retry after the 429) for the first good list.
    assert.equal(await stepUntil(monotonic()), 'one');
    assert.equal(listSteps.length, 0, 'every bad list answer was served');
    current = secretAt(6, 'two');
    // Ten failures in a row put the backoff at its cap: up to about 6 minutes of fake time, stepped 1 s at a time.
    const stepping = { timeoutMs: 40_000, onRetry: () => clock.step(1_000) };
    await eventually(() => assert.equal(watchSteps.length, 0, 'every bad watch answer was served'), stepping);
    await eventually(async () => assert.equal(await monotonic(), 'two'), stepping);
    await eventually(() => assert.equal(open.size, 1, 'a good watch is open'), stepping);
    current = secretAt(7, 'three');
    for (const res of open) res.write(`${JSON.stringify({ type: 'MODIFIED', object: current })}\n`);
    await eventually(async () => assert.equal(await monotonic(), 'three'));

    const messages = errors.map((e) => e.message);
    const expectations: [string, RegExp][] = [
      ['non-JSON 500 body', /list failed: .*HTTP 500 \(InternalError\) with a \d+-byte body that is not a Kubernetes Status/],
      ['200 that is not JSON', /list failed: .*answered 200 with a \d+-byte body that is not JSON/],
      ['list without items', /list failed: .*has no items array/],
      ['malformed watch line', /watch failed: watch event 1 is not valid JSON \(\d+ bytes\)/],
      ['event without object', /watch failed: watch event 1 \(ADDED\) has no object/],
      ['event with a null object', /watch failed: watch event 1 \(MODIFIED\) has no object/],
      ['unknown event type', /watch failed: watch event 1 has an unknown type "SURPRISE"/],
      ['event that is not an object', /watch failed: watch event 1 is not a JSON object/],
      ['non-JSON 500 body on a watch', /watch failed: .*HTTP 500 \(InternalError\) with a \d+-byte body that is not a Kubernetes Status/],
      ['403 with a JSON body that is not a Status', /watch failed: .*HTTP 403 \(Forbidden\)/],
    ];
    for (const [what, pattern] of expectations) assert.ok(messages.some((m) => pattern.test(m)), `${what}: ${pattern} in\n${messages.join('\n')}`);
    for (const m of messages) {
      assert.ok(!m.includes(leak), `error quotes the body: ${m}`);
      assert.ok(!m.includes(token), `error quotes the token: ${m}`);
    }
    secrets.unregisterPod(pod);
    await eventually(() => assert.equal(open.size, 0, 'the watch closed on unregister'));
  } finally {
    controller.abort();
    await client.close();
    await server.close();
  }
});
