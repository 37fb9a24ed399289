// kom agent run as a user runs it: a child process against the embedded API
// server, observed through its HTTP endpoints, stopped with SIGTERM.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { startApiServer, type ApiServer } from '../../src/apiserver/index.ts';
import { parseListen } from '../../src/cli/agent-http.ts';
import { eventually } from '../helpers/eventually.ts';
import { runKom, startKom, writeKubeconfig, type KomProcess } from './fixtures/kom-child.ts';

/** Secret data the agent must never print. */
const secretValue = 'hunter2-do-not-print';
const secretB64 = Buffer.from(secretValue).toString('base64');

let server: ApiServer;
let api: CoreV1Api;
let kubeconfig: Awaited<ReturnType<typeof writeKubeconfig>>;
const running: KomProcess[] = [];

function pod(name: string, node: string, spec: Partial<NonNullable<V1Pod['spec']>>): V1Pod {
  return { metadata: { name, namespace: 'shop' }, spec: { nodeName: node, containers: [{ name: 'app', image: 'app:1' }], ...spec } };
}

before(async () => {
  server = await startApiServer();
  api = server.kubeConfig().makeApiClient(CoreV1Api);
  kubeconfig = await writeKubeconfig(server.kubeconfigYaml());
  await api.createNamespace({ body: { metadata: { name: 'shop' } } });
  await api.createNode({ body: { metadata: { name: 'node-a', annotations: { 'node.alpha.kubernetes.io/ttl': '1' } } } });
  await api.createNamespacedSecret({ namespace: 'shop', body: { metadata: { name: 'db' }, data: { password: secretB64 } } });
  await api.createNamespacedSecret({ namespace: 'shop', body: { metadata: { name: 'tls' }, data: { key: secretB64 }, immutable: true } });
  await api.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'settings' }, data: { mode: 'fast' } } });
  await api.createNamespacedPod({
    namespace: 'shop',
    body: pod('web', 'node-a', {
      containers: [
        {
          name: 'app',
          image: 'app:1',
          env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
          envFrom: [{ secretRef: { name: 'absent', optional: true } }],
        },
      ],
      volumes: [
        { name: 'cfg', configMap: { name: 'settings' } },
        { name: 'certs', secret: { secretName: 'tls' } },
      ],
    }),
  });
  // Bound to another node: the agent of node-a must not see it.
  await api.createNamespacedPod({ namespace: 'shop', body: pod('elsewhere', 'node-b', { imagePullSecrets: [{ name: 'registry' }] }) });
});

after(async () => {
  for (const kom of running) kom.kill('SIGKILL');
  await Promise.all(running.map((kom) => kom.finished));
  await kubeconfig.remove();
  await server.close();
});

/** Starts the agent on an ephemeral port and answers its base URL once it printed it. */
async function startAgent(args: string[], env?: NodeJS.ProcessEnv): Promise<{ kom: KomProcess; url: string }> {
  const kom = startKom(['agent', '--listen', '127.0.0.1:0', ...args], env === undefined ? {} : { env });
  running.push(kom);
  const url = await eventually(() => {
    const match = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(kom.stderr());
    assert.ok(match?.[1], `the agent prints where it listens; stderr so far: ${kom.stderr()}`);
    return match[1];
    // A fresh Node process loading the CLI: seconds on a loaded 2-core machine (10 s timed out once at load 15).
  }, { timeoutMs: 30_000 });
  return { kom, url };
}

interface ObjectsDoc {
  node: string;
  strategy: string;
  ready: boolean;
  pods: number;
  objects: { kind: string; namespace: string; name: string; state: string; referrers: string[] }[];
}

async function objects(url: string): Promise<ObjectsDoc> {
  const response = await fetch(`${url}/objects`);
  assert.equal(response.status, 200);
  return (await response.json()) as ObjectsDoc;
}

function stateOf(doc: ObjectsDoc): Record<string, string> {
  return Object.fromEntries(doc.objects.map((o) => [`${o.kind}/${o.name}`, o.state]));
}

async function stop(kom: KomProcess, stopSignal: NodeJS.Signals = 'SIGTERM'): Promise<string> {
  kom.kill(stopSignal);
  const { code, signal, stdout, stderr } = await kom.finished;
  assert.equal(signal, null, 'exited by itself, not killed');
  assert.equal(code, 0, `exit code 0 after ${stopSignal}; stderr: ${stderr}`);
  assert.match(stderr, /kom agent: stopped/);
  const output = stdout + stderr;
  assert.ok(!output.includes(secretValue) && !output.includes(secretB64), 'no secret data in the output');
  return output;
}

test('kom agent --help, and bad flags exit 2 naming the flag', async () => {
  const help = await runKom(['agent', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: kom agent --node NAME/);
  assert.match(help.stdout, /\/objects/);
  const cases: [string[], RegExp][] = [
    [[], /--node NAME is required/],
    [['--node', 'Bad_Name'], /--node must be a node name/],
    [['--node', 'n', '--strategy', 'poll'], /--strategy must be watching, caching or simple \(or kom 0\.1's watch, ttl, get\), got "poll"/],
    [['--node', 'n', '--listen', 'localhost'], /--listen must be HOST:PORT/],
    [['--node', 'n', '--resync', '0'], /--resync must be a number of seconds from 1/],
    [['--node', 'n', '--frequency', '3'], /Unknown option '--frequency'/],
  ];
  const results = await Promise.all(cases.map(([args]) => runKom(['agent', ...args])));
  cases.forEach(([args, message], i) => {
    assert.equal(results[i]?.code, 2, `${args.join(' ')}: ${results[i]?.stderr}`);
    assert.match(results[i]?.stderr ?? '', message);
  });
});

test('--listen takes HOST:PORT and [IPv6]:PORT', () => {
  assert.deepEqual(parseListen('127.0.0.1:9464'), { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
  assert.deepEqual(parseListen('localhost:80'), { host: 'localhost', port: 80 });
  for (const bad of ['9464', ':9464', '127.0.0.1:', '127.0.0.1:70000', '::1:80', '[::1]', 'a:b']) assert.equal(typeof parseListen(bad), 'string', bad);
});

test('an address in use exits 1 naming it', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as AddressInfo;
  try {
    const result = await runKom(['agent', '--node', 'node-a', '--kubeconfig', kubeconfig.path, '--listen', `127.0.0.1:${port}`]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`kom agent: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});

test('an unreadable kubeconfig and an unreachable server exit 1 with a clear message', async () => {
  const missing = await runKom(['agent', '--node', 'node-a', '--kubeconfig', '/nonexistent/dir/config']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot load the kubeconfig \/nonexistent\/dir\/config: no such file/);

  const gone = await startApiServer();
  const yaml = gone.kubeconfigYaml();
  const url = gone.url;
  await gone.close();
  const unreachable = await writeKubeconfig(yaml);
  try {
    const result = await runKom(['agent', '--node', 'node-a', '--kubeconfig', unreachable.path, '--listen', '127.0.0.1:0', '--startup-timeout', '1']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`cannot list the pods of node "node-a" from ${url} within 1 s: .*ECONNREFUSED`));

    // Stopped while it still waits for its first list: a clean exit 0.
    const waiting = startKom(['agent', '--node', 'node-a', '--kubeconfig', unreachable.path, '--listen', '127.0.0.1:0', '--startup-timeout', '60']);
    running.push(waiting);
    await eventually(() => assert.match(waiting.stderr(), /list failed: .*ECONNREFUSED.*; retrying/));
    const agentUrl = /serving on (http:\S+)/.exec(waiting.stderr())?.[1] ?? '';
    const notReady = await fetch(`${agentUrl}/readyz`);
    assert.equal(notReady.status, 503);
    assert.equal(await notReady.text(), "not ready: waiting for the first list of the node's pods\n");
    assert.equal((await fetch(`${agentUrl}/healthz`)).status, 200);
    await stop(waiting);
  } finally {
    await unreachable.remove();
  }
});

test('watching strategy: registers the node\'s pods as they come and go, serves /readyz, /objects and /metrics, stops on SIGTERM', async () => {
  const { kom, url } = await startAgent(['--node', 'node-a', '--kubeconfig', kubeconfig.path, '--strategy', 'watching']);
  await eventually(() => assert.match(kom.stderr(), /node "node-a", strategy watching \(a watch per object\), API server/));
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  await eventually(async () => assert.equal((await fetch(`${url}/readyz`)).status, 200));

  const first = await objects(url);
  assert.equal(first.node, 'node-a');
  assert.equal(first.strategy, 'watching');
  assert.equal(first.pods, 1);
  assert.deepEqual(stateOf(first), { 'ConfigMap/settings': 'synced', 'Secret/absent': 'missing', 'Secret/db': 'synced', 'Secret/tls': 'immutable' });
  assert.deepEqual(first.objects.find((o) => o.name === 'db')?.referrers, ['shop/web']);
  assert.ok(!first.objects.some((o) => o.name === 'registry'), 'the pod on node-b is not registered');
  assert.match(kom.stderr(), /pod shop\/web registered \(3 secrets, 1 configmap\)/);

  // A new pod arrives: its objects are read and watched.
  await api.createNamespacedSecret({ namespace: 'shop', body: { metadata: { name: 'extra' }, data: { token: secretB64 } } });
  await api.createNamespacedPod({ namespace: 'shop', body: pod('worker', 'node-a', { imagePullSecrets: [{ name: 'extra' }, { name: 'db' }] }) });
  await eventually(async () => {
    const doc = await objects(url);
    assert.equal(doc.pods, 2);
    assert.equal(stateOf(doc)['Secret/extra'], 'synced');
    assert.deepEqual(doc.objects.find((o) => o.name === 'db')?.referrers, ['shop/web', 'shop/worker']);
  });

  // web is deleted; worker finishes: every reference goes.
  await api.deleteNamespacedPod({ namespace: 'shop', name: 'web' });
  await eventually(async () => assert.deepEqual(Object.keys(stateOf(await objects(url))), ['Secret/db', 'Secret/extra']));
  const worker = await api.readNamespacedPod({ namespace: 'shop', name: 'worker' });
  await api.replaceNamespacedPodStatus({ namespace: 'shop', name: 'worker', body: { ...worker, status: { phase: 'Succeeded' } } });
  await eventually(async () => {
    const doc = await objects(url);
    assert.equal(doc.pods, 0);
    assert.deepEqual(doc.objects, []);
  });
  assert.match(kom.stderr(), /pod shop\/web unregistered \(deleted\)/);
  assert.match(kom.stderr(), /pod shop\/worker unregistered \(Succeeded\)/);

  const metrics = await fetch(`${url}/metrics`);
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await metrics.text();
  assert.match(text, /^kom_agent_pods 0$/m);
  assert.match(text, /^kom_agent_ready 1$/m);
  assert.match(text, /^kom_agent_api_requests_total\{resource="pods",verb="list"\} [1-9]/m);
  assert.match(text, /^kom_agent_api_requests_total\{resource="secrets",verb="watch"\} [1-9]/m);
  assert.doesNotMatch(text, /verb="get"/, 'the watching strategy never GETs secrets or configmaps');
  assert.match(text, /^kom_agent_objects\{kind="Secret",state="synced"\} 0$/m);
  assert.match(text, /^kom_agent_client_connections \d+$/m);
  assert.match(text, /^process_resident_memory_bytes \d+/m);

  assert.equal((await fetch(`${url}/nope`)).status, 404);
  assert.equal((await fetch(`${url}/objects`, { method: 'POST' })).status, 405);
  await stop(kom);
  await api.deleteNamespacedPod({ namespace: 'shop', name: 'worker' });
});

test('caching and simple strategies (kubeconfig from $KUBECONFIG): objects read once, states and request counts', async () => {
  await api.createNamespacedPod({
    namespace: 'shop',
    body: pod('cron', 'node-a', { volumes: [{ name: 'cfg', projected: { sources: [{ configMap: { name: 'settings' } }, { secret: { name: 'gone', optional: true } }] } }] }),
  });
  try {
    const env = { ...process.env, KUBECONFIG: kubeconfig.path };
    const agents = await Promise.all(['caching', 'simple'].map((strategy) => startAgent(['--node', 'node-a', '--strategy', strategy, '--resync', '1'], env)));
    for (const { url } of agents) {
      await eventually(async () => assert.equal((await fetch(`${url}/readyz`)).status, 200));
      const doc = await objects(url);
      assert.deepEqual(stateOf(doc), { 'ConfigMap/settings': 'synced', 'Secret/gone': 'missing' });
      assert.deepEqual(doc.objects[0]?.referrers, ['shop/cron']);
    }
    for (const [i, { url }] of agents.entries()) {
      // --resync 1: the objects are read again every second, with GETs.
      await eventually(async () => assert.match(await (await fetch(`${url}/metrics`)).text(), /^kom_agent_object_reads_total\{kind="ConfigMap",result="ok"\} ([3-9]|\d\d+)$/m));
      const text = await (await fetch(`${url}/metrics`)).text();
      assert.match(text, /^kom_agent_api_requests_total\{resource="configmaps",verb="get"\} [1-9]/m);
      assert.doesNotMatch(text, /resource="(secrets|configmaps)",verb="watch"/, 'caching and simple never watch secrets or configmaps');
      // caching reads the node for its TTL annotation; simple has no use for it.
      if (i === 0) assert.match(text, /^kom_agent_api_requests_total\{resource="nodes",verb="get"\} [1-9]/m);
      else assert.doesNotMatch(text, /resource="nodes"/);
    }
    await Promise.all(agents.map(({ kom }, i) => stop(kom, i === 0 ? 'SIGTERM' : 'SIGINT')));
  } finally {
    await api.deleteNamespacedPod({ namespace: 'shop', name: 'cron' });
  }
});

test('a failing first list is retried within --startup-timeout; after an API server restart the agent relists and goes on', async () => {
  server.faults.failNext(1, 503, { verb: 'list', resource: 'pods' });
  const { kom, url } = await startAgent(['--node', 'node-a', '--kubeconfig', kubeconfig.path]);
  await eventually(async () => assert.equal((await fetch(`${url}/readyz`)).status, 200));
  assert.match(kom.stderr(), /kom agent: pods on node "node-a": list failed: The server is currently unable to handle the request \(injected fault\); retrying/);

  // A restart that also forgets the history: the watch ends, its resume gets 410, the agent relists.
  await server.faults.restart({ compactHistory: true });
  await api.createNamespacedPod({ namespace: 'shop', body: pod('after-restart', 'node-a', { imagePullSecrets: [{ name: 'db' }] }) });
  try {
    await eventually(async () => assert.deepEqual((await objects(url)).objects.find((o) => o.name === 'db')?.referrers, ['shop/after-restart']), { timeoutMs: 20_000 });
    assert.match(await (await fetch(`${url}/metrics`)).text(), /^kom_agent_watch_errors_total\{resource="pods"\} [1-9]/m);
    await stop(kom);
  } finally {
    await api.deleteNamespacedPod({ namespace: 'shop', name: 'after-restart' });
  }
});

test('caching strategy (by kom 0.1\'s name, --strategy ttl): a pod naming an impossible secret is registered (its other objects are served); pod updates fetch nothing again', async () => {
  await api.createNode({ body: { metadata: { name: 'node-c', annotations: { 'node.alpha.kubernetes.io/ttl': '3600' } } } });
  // kube-apiserver accepts this pod: imagePullSecrets names are not validated.
  await api.createNamespacedPod({
    namespace: 'shop',
    body: pod('odd', 'node-c', {
      imagePullSecrets: [{ name: 'Registry_Creds' }],
      volumes: [{ name: 'cfg', configMap: { name: 'settings' } }, { name: 'db', secret: { secretName: 'db' } }],
    }),
  });
  try {
    const { kom, url } = await startAgent(['--node', 'node-c', '--strategy', 'ttl', '--resync', '3600', '--kubeconfig', kubeconfig.path]);
    await eventually(() => assert.match(kom.stderr(), /node "node-c", strategy caching \(a TTL cache\), API server/));
    await eventually(async () => assert.equal((await fetch(`${url}/readyz`)).status, 200));
    assert.deepEqual(stateOf(await objects(url)), { 'ConfigMap/settings': 'synced', 'Secret/Registry_Creds': 'missing', 'Secret/db': 'synced' });
    const gets = async (): Promise<string> => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return [...text.matchAll(/^kom_agent_api_requests_total\{resource="(secrets|configmaps)",verb="get"\} (\d+)$/gm)].map((m) => `${m[1]}=${m[2]}`).sort().join(' ');
    };
    const before = await gets();
    // Every update of the pod (here its labels; in a cluster its status)
    // re-registers it. With the kubelet's newer rule, that fetches nothing.
    for (let i = 0; i < 5; i++) {
      const current = await api.readNamespacedPod({ namespace: 'shop', name: 'odd' });
      current.metadata = { ...current.metadata, labels: { round: String(i) } };
      await api.replaceNamespacedPod({ namespace: 'shop', name: 'odd', body: current });
    }
    // Updates re-read the pod's objects (reads of one object in flight are
    // shared, so not every update adds one). Every read of the missing secret
    // asks again (a NotFound is never fresh, as in the kubelet); db and
    // settings are never asked again: the seed's rule would refetch them on
    // every update.
    await eventually(async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      assert.match(text, /^kom_agent_object_reads_total\{kind="ConfigMap",result="ok"\} ([4-9]|\d\d+)$/m, 'the updates were seen');
      const missingReads = Number(/^kom_agent_object_reads_total\{kind="Secret",result="missing"\} (\d+)$/m.exec(text)?.[1]);
      assert.equal(await gets(), `configmaps=1 secrets=${1 + missingReads}`);
    });
    assert.equal(before, 'configmaps=1 secrets=2');
    await stop(kom);
  } finally {
    await api.deleteNamespacedPod({ namespace: 'shop', name: 'odd' });
  }
});
