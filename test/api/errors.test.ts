// The error hierarchy (src/api/errors.ts): every error class the package
// exports is a KomError with its own stable code, instanceof and cause work
// through the hierarchy, and no error built from a Secret-shaped answer says
// what the Secret holds.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { KubernetesListObject, KubernetesObject, V1Status } from '@kubernetes/client-node';
import * as root from '../../src/index.ts';
import {
  CacheStoppedError,
  ClientClosedError,
  ConnectionError,
  CredentialsError,
  KomError,
  KubeConfigError,
  MalformedResponseError,
  NotRegisteredError,
  Reflector,
  ReflectorError,
  RequestTimeoutError,
  ResponseTooLargeError,
  StatusError,
  SyncTimeoutError,
  UnexpectedObjectError,
  WatchDecodeError,
  WatchEndedError,
  WatchStalledError,
  createClient,
  hasErrorCode,
  isGone,
  isSourceClosed,
  newObjectStore,
  newSimpleConfigMapManager,
  type WatchEvent,
} from '../../src/index.ts';
import * as testing from '../../src/testing.ts';
import * as apiserver from '../../src/apiserver/index.ts';
import { FakeClock, FakeObjectSource } from '../../src/testing.ts';
import { StreamRefusedError } from '../../src/client/http2-request.ts';
import { statusErrorFromResponse } from '../../src/client/status.ts';
import { WatchDecoder } from '../../src/client/watch-decoder.ts';
import { clientOver } from '../helpers/objects.ts';
import { settle } from '../helpers/settle.ts';
import { sendJson, startTestServer, type TestServer } from '../client/helpers/test-server.ts';

type Make = (cause?: unknown) => KomError;

/** Every exported error class, its code (stable: changing one breaks callers) and how to build one with a cause. */
const classes: Record<string, { code: string; make: Make }> = {
  StatusError: { code: 'KOM_API_STATUS', make: (cause) => new StatusError({ kind: 'Status', code: 410, reason: 'Gone', message: 'gone' }, { cause }) },
  MalformedResponseError: { code: 'KOM_RESPONSE_MALFORMED', make: (cause) => new MalformedResponseError('m', { cause }) },
  NotRegisteredError: { code: 'KOM_NOT_REGISTERED', make: () => new NotRegisteredError('ns', 'db') },
  CacheStoppedError: { code: 'KOM_CACHE_STOPPED', make: (cause) => new CacheStoppedError('m', { cause }) },
  SyncTimeoutError: { code: 'KOM_SYNC_TIMEOUT', make: (cause) => new SyncTimeoutError('m', { cause }) },
  UnexpectedObjectError: { code: 'KOM_UNEXPECTED_OBJECT', make: (cause) => new UnexpectedObjectError('m', { cause }) },
  ReflectorError: { code: 'KOM_REFLECTOR', make: (cause) => new ReflectorError('secrets "ns"/"db"', 'watch', cause) },
  WatchEndedError: { code: 'KOM_WATCH_ENDED', make: (cause) => new WatchEndedError('m', { cause }) },
  ClientClosedError: { code: 'KOM_CLIENT_CLOSED', make: (cause) => new ClientClosedError('m', { cause }) },
  ConnectionError: { code: 'KOM_CONNECTION', make: (cause) => new ConnectionError('m', { cause }) },
  RequestTimeoutError: { code: 'KOM_REQUEST_TIMEOUT', make: (cause) => new RequestTimeoutError('m', { cause }) },
  ResponseTooLargeError: { code: 'KOM_RESPONSE_TOO_LARGE', make: () => new ResponseTooLargeError('m', 'maxResponseBytes', 1024) },
  WatchDecodeError: { code: 'KOM_WATCH_MALFORMED', make: (cause) => new WatchDecodeError('m', { cause }) },
  WatchStalledError: { code: 'KOM_WATCH_STALLED', make: (cause) => new WatchStalledError('m', { cause }) },
  KubeConfigError: { code: 'KOM_KUBECONFIG', make: (cause) => new KubeConfigError('m', { cause }) },
  CredentialsError: { code: 'KOM_CREDENTIALS', make: (cause) => new CredentialsError('m', { cause }) },
};
/** Classes that never wrap another error. */
const withoutCause = new Set(['NotRegisteredError', 'ResponseTooLargeError']);

function errorClassesOf(entry: Record<string, unknown>): string[] {
  return Object.entries(entry)
    .filter(([, value]) => typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof Error)
    .map(([name]) => name)
    .sort();
}

describe('the error hierarchy', () => {
  it('every error class the package exports is a KomError with a distinct, stable KOM_ code and its own name', () => {
    assert.deepEqual(errorClassesOf(root), ['KomError', ...Object.keys(classes)].sort(), 'the exported error classes are the table above');
    assert.deepEqual(errorClassesOf(testing), [], './testing exports no error class of its own');
    assert.deepEqual(errorClassesOf(apiserver), [], './apiserver exports no error class of its own');
    const seen = new Set<string>();
    for (const [name, { code, make }] of Object.entries(classes)) {
      const err = make();
      assert.ok(err instanceof KomError, `${name} is a KomError`);
      assert.ok(err instanceof Error, `${name} is an Error`);
      assert.equal(err.constructor, (root as Record<string, unknown>)[name], `${name} is what the root exports`);
      assert.equal(err.name, name);
      assert.equal(err.code, code, `${name}'s code`);
      assert.match(err.code, /^KOM_[A-Z0-9_]+$/);
      assert.ok(!seen.has(code), `${code} is used once`);
      seen.add(code);
      assert.ok(String(err).startsWith(`${name}: `), `${name}'s toString names it`);
      assert.ok(hasErrorCode(err, code));
    }
  });

  it('instanceof works across the hierarchy; a refinement keeps its parent code', () => {
    const refused = new StreamRefusedError('GET /api/v1/namespaces/ns/secrets/db: the server refused the HTTP/2 stream');
    assert.ok(refused instanceof ConnectionError && refused instanceof KomError && refused instanceof Error);
    assert.equal(refused.name, 'StreamRefusedError');
    assert.equal(refused.code, 'KOM_CONNECTION');
    assert.ok(!(new ConnectionError('m') instanceof StreamRefusedError));
    assert.ok(!(new NotRegisteredError('ns', 'a') instanceof StatusError));
    assert.ok(!(new StatusError({ code: 404 }) instanceof ConnectionError));
  });

  it('keeps `cause`, and the predicates look through it', () => {
    for (const [name, { make }] of Object.entries(classes)) {
      if (withoutCause.has(name)) continue;
      const cause = new Error('underneath');
      assert.equal(make(cause).cause, cause, `${name} keeps its cause`);
    }
    const gone = StatusError.of(410, 'Gone', 'too old resource version');
    const wrapped = new SyncTimeoutError('failed to sync', { cause: new ReflectorError('secrets "ns"/"db"', 'watch', gone) });
    assert.ok(isGone(wrapped));
    assert.ok(hasErrorCode(wrapped, 'KOM_REFLECTOR') && hasErrorCode(wrapped, 'KOM_API_STATUS'));
    assert.ok(isSourceClosed(new CacheStoppedError('secrets cache is stopped', { cause: new ClientClosedError('the client was closed') })));
    assert.ok(!isSourceClosed(new CacheStoppedError('secrets cache is stopped')));
  });

  it('StatusError: the HTTP status is statusCode, code is KOM_API_STATUS, reason and the server Status are kept', () => {
    const status: V1Status = { kind: 'Status', apiVersion: 'v1', metadata: { resourceVersion: '9' }, status: 'Failure', message: 'slow down', reason: 'TooManyRequests', details: { retryAfterSeconds: 2 }, code: 429 };
    const err = new StatusError(status);
    assert.equal(err.statusCode, 429);
    assert.equal(err.code, 'KOM_API_STATUS');
    assert.equal(err.reason, 'TooManyRequests');
    assert.equal(err.status, status, 'a Status is kept as the server sent it');
    assert.equal(err.retryAfterSeconds, 2);
  });
});

/** A Secret as a hostile or broken server might send it where something else belongs. */
const secretValue = 'hunter2-s3cr3t-value';
const secretBase64 = Buffer.from(secretValue).toString('base64');
const secretAnswer = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'db',
    namespace: 'other',
    resourceVersion: '5',
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ stringData: { password: secretValue } }) },
  },
  data: { password: secretBase64 },
  stringData: { password: secretValue },
  type: 'Opaque',
};

/** Neither the message, nor toString(), nor what util.inspect prints (stack, fields, causes) holds the Secret's data. */
function assertClean(err: unknown, what: string): void {
  assert.ok(err instanceof KomError, `${what}: a KomError, got ${String(err)}`);
  for (const [view, text] of [
    ['message', err.message],
    ['toString()', String(err)],
    ['inspect', inspect(err, { depth: 20 })],
  ] as const) {
    assert.ok(!text.includes(secretValue) && !text.includes(secretBase64), `${what}: the ${view} holds no secret data`);
  }
}

describe('no error built from a Secret-shaped answer holds its data', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      protocol: 'http',
      handler: (req, res) => {
        const path = req.url ?? '';
        if (path.includes('/cut')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(secretAnswer).slice(0, -5));
        } else if (path.includes('/failing')) sendJson(res, 500, secretAnswer);
        else sendJson(res, 200, secretAnswer);
      },
    });
  });
  after(() => server.close());

  it('client: a list answered with a Secret, a 200 body cut short, a 500 with a Secret body', async () => {
    const client = createClient(server.kubeConfig(), { http2: false });
    try {
      const secrets = client.resource('secrets');
      const list = await secrets.listObject('ns', {}).then(() => undefined, (err: unknown) => err);
      assert.ok(list instanceof MalformedResponseError);
      assertClean(list, 'list answered with a Secret');
      const cut = await secrets.getObject('ns', 'cut', {}).then(() => undefined, (err: unknown) => err);
      assert.ok(cut instanceof MalformedResponseError);
      assertClean(cut, 'a 200 body that is not JSON');
      const failing = await secrets.getObject('ns', 'failing', {}).then(() => undefined, (err: unknown) => err);
      assert.ok(failing instanceof StatusError && failing.statusCode === 500);
      assertClean(failing, 'a 500 with a Secret body');
    } finally {
      await client.close();
    }
  });

  it('status: a non-2xx Secret body, and a Secret given as a Status (an ERROR watch event)', () => {
    assertClean(statusErrorFromResponse(403, undefined, Buffer.from(JSON.stringify(secretAnswer)), 'get secrets "ns/db"'), 'a 403 with a Secret body');
    const fromEvent = new StatusError(secretAnswer);
    assertClean(fromEvent, 'a Secret as a Status');
    assert.deepEqual(fromEvent.status, { apiVersion: 'v1', kind: 'Secret', metadata: { resourceVersion: '5' } }, 'only the fields of a Status are kept');
  });

  it('watch decoding: a line that is a Secret, a Secret cut short', () => {
    for (const line of [JSON.stringify(secretAnswer), JSON.stringify(secretAnswer).slice(0, -5), JSON.stringify({ type: 'ADDED', object: secretAnswer }).slice(0, -2)]) {
      const err = (() => {
        try {
          new WatchDecoder().push(Buffer.from(`${line}\n`));
          return undefined;
        } catch (e) {
          return e;
        }
      })();
      assert.ok(err instanceof WatchDecodeError, line.slice(0, 30));
      assertClean(err, 'a malformed watch line');
    }
  });

  it('reflector: an ERROR event carrying a Secret, a list answered with a Secret', async () => {
    const clock = new FakeClock();
    const errors: ReflectorError[] = [];
    let listed = 0;
    const reflector = new Reflector({
      name: 'secrets "ns"/"db"',
      list: () => Promise.resolve((listed++ === 0 ? { metadata: { resourceVersion: '1' }, items: [] } : secretAnswer) as unknown as KubernetesListObject<KubernetesObject>),
      watch: () => events([{ type: 'ERROR', object: secretAnswer }]),
      store: { replace: () => undefined, add: () => undefined, update: () => undefined, delete: () => undefined },
      clock,
      random: () => 0,
      onError: (e) => errors.push(e),
    });
    const controller = new AbortController();
    const done = reflector.run(controller.signal);
    await settle();
    clock.step(60_000);
    await settle();
    controller.abort();
    await done;
    assert.equal(errors[0]?.phase, 'watch');
    assert.ok(errors[0].cause instanceof StatusError, 'the ERROR event');
    assert.equal(errors[1]?.phase, 'list');
    assert.ok(errors[1].cause instanceof MalformedResponseError, 'the list without items');
    for (const err of errors) assertClean(err, `reflector ${err.phase}`);
  });

  it('stores and typed managers: another object, another kind', async () => {
    const store = newObjectStore(() => Promise.resolve(secretAnswer as KubernetesObject), new FakeClock(), () => undefined, 1_000);
    store.addReference('ns', 'db');
    const other = await store.get('ns', 'db').then(() => undefined, (err: unknown) => err);
    assert.ok(other instanceof UnexpectedObjectError);
    assertClean(other, 'TTL store given another object');
    const source = new FakeObjectSource();
    const answer = { ...secretAnswer, metadata: { ...secretAnswer.metadata, namespace: 'ns' } };
    const configMaps = newSimpleConfigMapManager(
      clientOver({ groupResource: source.groupResource, getObject: () => Promise.resolve(answer), listObject: source.listObject, watchObject: source.watchObject }),
    );
    const kind = await configMaps.getConfigMap('ns', 'db').then(() => undefined, (err: unknown) => err);
    assert.ok(kind instanceof UnexpectedObjectError);
    assertClean(kind, 'a ConfigMap manager given a Secret');
  });
});

/** A watch that yields `list`, then stays open until its iterator is returned. */
function events(list: WatchEvent[]): AsyncIterable<WatchEvent> {
  let i = 0;
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => (i < list.length ? Promise.resolve({ done: false, value: list[i++] as WatchEvent }) : new Promise<IteratorResult<WatchEvent>>(() => undefined)),
      return: () => Promise.resolve({ done: true, value: undefined }),
    }),
  };
}
