// kom refs run as a user runs it: a child process reading manifest files or
// standard input, with --check against the embedded API server.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { dump, load } from 'js-yaml';
import { startApiServer, type ApiServer } from '../../src/apiserver/index.ts';
import { templateKinds } from '../../src/cli/manifests.ts';
import { runKom, writeKubeconfig } from './fixtures/kom-child.ts';

const fixture = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const workloads = fixture('workloads.yaml');
const secretValue = 'hunter2-do-not-print';

let server: ApiServer;
let api: CoreV1Api;
let kubeconfig: Awaited<ReturnType<typeof writeKubeconfig>>;

before(async () => {
  server = await startApiServer();
  api = server.kubeConfig().makeApiClient(CoreV1Api);
  kubeconfig = await writeKubeconfig(server.kubeconfigYaml());
  await api.createNamespace({ body: { metadata: { name: 'shop' } } });
  const data = { value: Buffer.from(secretValue).toString('base64') };
  for (const name of ['registry', 'db', 'web-tls']) await api.createNamespacedSecret({ namespace: 'shop', body: { metadata: { name }, data } });
  await api.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'web-env' }, data: { MODE: 'fast' } } });
});

after(async () => {
  await kubeconfig.remove();
  await server.close();
});

/** The table's rows as arrays of cells (header and rule dropped). */
function rows(table: string): string[][] {
  return table.trimEnd().split('\n').slice(2).map((line) => line.split(/\s{2,}/));
}

test('kom refs --help, and bad flags exit 2 naming the flag', async () => {
  const help = await runKom(['refs', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: kom refs \[options\] \[FILE\.\.\. \| -\]/);
  assert.match(help.stdout, /3 with --check, a required \(non-optional\) reference is missing/);
  const cases: [string[], RegExp][] = [
    [['-o', 'yaml', workloads], /--output must be table or json, got "yaml"/],
    [['-n', 'Not_A_Namespace', workloads], /--namespace must be a namespace name/],
    [['--chekc', workloads], /Unknown option '--chekc'/],
  ];
  const results = await Promise.all(cases.map(([args]) => runKom(['refs', ...args])));
  cases.forEach(([args, message], i) => {
    assert.equal(results[i]?.code, 2, `${args.join(' ')}: ${results[i]?.stderr}`);
    assert.match(results[i]?.stderr ?? '', message);
  });
});

test('prints every reference of every pod template with its field path and optionality', async () => {
  const { code, stdout, stderr } = await runKom(['refs', workloads]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^OBJECT\s+KIND\s+NAME\s+FIELD\s+OPTIONAL$/m);
  assert.deepEqual(rows(stdout), [
    ['Deployment/shop/web', 'Secret', 'registry', 'spec.template.spec.imagePullSecrets[0]', 'no'],
    ['Deployment/shop/web', 'Secret', 'web-extra', 'spec.template.spec.containers[0].envFrom[1].secretRef', 'yes'],
    ['Deployment/shop/web', 'Secret', 'db', 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef', 'no'],
    ['Deployment/shop/web', 'Secret', 'web-tls', 'spec.template.spec.volumes[0].secret', 'no'],
    ['Deployment/shop/web', 'Secret', 'web-keys', 'spec.template.spec.volumes[1].projected.sources[1].secret', 'yes'],
    ['Deployment/shop/web', 'ConfigMap', 'web-env', 'spec.template.spec.containers[0].envFrom[0].configMapRef', 'no'],
    ['Deployment/shop/web', 'ConfigMap', 'web-config', 'spec.template.spec.volumes[1].projected.sources[0].configMap', 'no'],
    ['StatefulSet/default/db', 'Secret', 'db', 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef', 'no'],
    ['StatefulSet/default/db', 'ConfigMap', 'db-settings', 'spec.template.spec.initContainers[0].env[0].valueFrom.configMapKeyRef', 'yes'],
    ['CronJob/shop/report', '-', '-', '(no references)', '-'],
  ]);
  assert.match(stderr, /skipped 1 object without a pod template: Service\/web/);
});

test('reads JSON and YAML from stdin (kind: List, CronJob templates); --namespace fills in missing namespaces; --output json', async () => {
  const input = `${JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug' }, spec: { containers: [{ name: 'sh', envFrom: [{ secretRef: { name: 'token' } }] }] } },
    ],
  })}\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly, namespace: shop}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          volumes: [{name: c, configMap: {name: nightly-config, optional: true}}]\n`;
  const { code, stdout, stderr } = await runKom(['refs', '-n', 'ops', '-o', 'json', '-'], { input });
  assert.equal(code, 0, stderr);
  const doc = JSON.parse(stdout) as { objects: { kind: string; namespace: string; name: string; source: string; references: unknown[] }[] };
  assert.deepEqual(doc.objects, [
    {
      kind: 'Pod',
      namespace: 'ops',
      name: 'debug',
      source: '<stdin> (document 1) items[0]',
      references: [{ kind: 'Secret', namespace: 'ops', name: 'token', field: 'spec.containers[0].envFrom[0].secretRef', optional: false }],
    },
    {
      kind: 'CronJob',
      namespace: 'shop',
      name: 'nightly',
      source: '<stdin> (document 2)',
      references: [{ kind: 'ConfigMap', namespace: 'shop', name: 'nightly-config', field: 'spec.jobTemplate.spec.template.spec.volumes[0].configMap', optional: true }],
    },
  ]);
});

test('unreadable files and malformed manifests exit 1 with a message naming the file and the problem, never its content', async () => {
  const cases: [string[], string | undefined, RegExp][] = [
    [['/nonexistent/app.yaml'], undefined, /kom refs: cannot read \/nonexistent\/app\.yaml: no such file/],
    [[fixture('malformed.yaml')], undefined, /malformed\.yaml: not valid YAML or JSON at line 6, column 1/],
    [[fixture('no-template.yaml')], undefined, /no-template\.yaml: Deployment "broken" has no spec\.template\.spec/],
    [['-'], 'just a string\n', /<stdin>: not a Kubernetes object \(a string instead of a mapping\)/],
    [['-'], '{"apiVersion": "v1", "metadata": {"name": "x"}}', /<stdin>: the object has no kind/],
    [['-'], '{"kind": "Pod", "spec": [1, 2', /<stdin>: not valid YAML or JSON at line 1/],
  ];
  const results = await Promise.all(cases.map(([args, input]) => runKom(['refs', ...args], input === undefined ? {} : { input })));
  cases.forEach(([args, , message], i) => {
    const result = results[i];
    assert.equal(result?.code, 1, `${args.join(' ')}: ${result?.stderr}`);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /do-not-print-me/, 'the YAML snippet is not quoted');
    assert.equal(result.stdout, '');
  });
});

test('--check says which referenced objects are missing and which of those are optional; exit 3 while a required one is', async () => {
  const before = await runKom(['refs', '--check', '--kubeconfig', kubeconfig.path, workloads]);
  assert.equal(before.code, 3, before.stderr);
  const status = Object.fromEntries(rows(before.stdout).map((cells) => [`${cells[0]} ${cells[2]}`, cells[5]]));
  assert.deepEqual(status, {
    'Deployment/shop/web registry': 'found',
    'Deployment/shop/web web-extra': 'missing (optional)',
    'Deployment/shop/web db': 'found',
    'Deployment/shop/web web-tls': 'found',
    'Deployment/shop/web web-keys': 'missing (optional)',
    'Deployment/shop/web web-env': 'found',
    'Deployment/shop/web web-config': 'MISSING',
    'StatefulSet/default/db db': 'MISSING',
    'StatefulSet/default/db db-settings': 'missing (optional)',
    'CronJob/shop/report -': undefined,
  });
  assert.match(before.stderr, /9 references checked: 2 required missing, 3 optional missing, 0 failed/);

  // The StatefulSet goes to shop too (-n), and web-config is created: every required reference exists.
  await api.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'web-config' } } });
  const after = await runKom(['refs', '--check', '-n', 'shop', '-o', 'json', workloads], { env: { ...process.env, KUBECONFIG: kubeconfig.path } });
  assert.equal(after.code, 0, after.stderr);
  const doc = JSON.parse(after.stdout) as { objects: { name: string; references: { name: string; status: string; optional: boolean }[] }[] };
  const db = doc.objects.find((o) => o.name === 'db');
  assert.deepEqual(db?.references.map((r) => [r.name, r.status, r.optional]), [
    ['db', 'found', false],
    ['db-settings', 'missing', true],
  ]);
  for (const result of [before, after]) assert.ok(!(result.stdout + result.stderr).includes(secretValue), 'no secret data in the output');
});

test('--check with an unreachable API server exits 1 naming the server', async () => {
  const gone = await startApiServer();
  const yaml = gone.kubeconfigYaml();
  const url = gone.url;
  await gone.close();
  const unreachable = await writeKubeconfig(yaml);
  try {
    const result = await runKom(['refs', '--check', '--kubeconfig', unreachable.path, workloads]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`kom refs: cannot reach the API server ${url}: .*ECONNREFUSED`));
    assert.equal(result.stdout, '');
  } finally {
    await unreachable.remove();
  }
});

test('--help names every kind whose pod template is read', async () => {
  const { stdout } = await runKom(['refs', '--help']);
  for (const kind of templateKinds) assert.match(stdout.replace(/\s+/g, ' '), new RegExp(`\\b${kind}\\b`), kind);
});

test('DaemonSet, Job, ReplicaSet, ReplicationController and PodTemplate: each template is read at its own path', async () => {
  const spec = (secret: string): string => `{containers: [{name: c, env: [{name: X, valueFrom: {secretKeyRef: {name: ${secret}, key: k}}}]}]}`;
  const input = [
    `kind: DaemonSet\nmetadata: {name: ds}\nspec: {template: {spec: ${spec('ds-secret')}}}`,
    `kind: Job\nmetadata: {name: job}\nspec: {template: {spec: ${spec('job-secret')}}}`,
    `kind: ReplicaSet\nmetadata: {name: rs}\nspec: {template: {spec: ${spec('rs-secret')}}}`,
    `kind: ReplicationController\nmetadata: {name: rc}\nspec: {template: {spec: ${spec('rc-secret')}}}`,
    `kind: PodTemplate\nmetadata: {name: pt}\ntemplate: {spec: ${spec('pt-secret')}}`,
  ].join('\n---\n');
  const { code, stdout, stderr } = await runKom(['refs'], { input });
  assert.equal(code, 0, stderr);
  assert.deepEqual(rows(stdout), [
    ['DaemonSet/default/ds', 'Secret', 'ds-secret', 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef', 'no'],
    ['Job/default/job', 'Secret', 'job-secret', 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef', 'no'],
    ['ReplicaSet/default/rs', 'Secret', 'rs-secret', 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef', 'no'],
    ['ReplicationController/default/rc', 'Secret', 'rc-secret', 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef', 'no'],
    ['PodTemplate/default/pt', 'Secret', 'pt-secret', 'template.spec.containers[0].env[0].valueFrom.secretKeyRef', 'no'],
  ]);
});

test('reads a JSON file (kubectl get -o json output: a List of pods)', async () => {
  const { code, stdout, stderr } = await runKom(['refs', fixture('pods.json')]);
  assert.equal(code, 0, stderr);
  assert.deepEqual(rows(stdout), [
    ['Pod/shop/debug', 'Secret', 'api-token', 'spec.containers[0].env[0].valueFrom.secretKeyRef', 'no'],
    ['Pod/shop/debug', 'ConfigMap', 'debug-config', 'spec.volumes[0].configMap', 'yes'],
  ]);
});

/** The server's kubeconfig with `namespace` in its current context, as `kubectl config set-context --current --namespace` leaves it. */
function withContextNamespace(yaml: string, namespace: string): string {
  const config = load(yaml) as { contexts: { context: { namespace?: string } }[] };
  for (const { context } of config.contexts) context.namespace = namespace;
  return dump(config);
}

test('objects without a namespace go to the kubeconfig context\'s namespace, as kubectl puts them; -n overrides it; with and without --check', async () => {
  const shop = await writeKubeconfig(withContextNamespace(server.kubeconfigYaml(), 'shop'));
  const home = await mkdtemp(join(tmpdir(), 'kom-home-'));
  try {
    // Everything the Deployment references exists in shop, nothing in default.
    const input = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      imagePullSecrets: [{name: registry}]\n      containers: [{name: api, envFrom: [{configMapRef: {name: web-env}}, {secretRef: {name: db}}]}]\n';
    const inShop = [
      ['Deployment/shop/api', 'Secret', 'registry', 'spec.template.spec.imagePullSecrets[0]', 'no', 'found'],
      ['Deployment/shop/api', 'Secret', 'db', 'spec.template.spec.containers[0].envFrom[1].secretRef', 'no', 'found'],
      ['Deployment/shop/api', 'ConfigMap', 'web-env', 'spec.template.spec.containers[0].envFrom[0].configMapRef', 'no', 'found'],
    ];
    const viaFlag = await runKom(['refs', '--check', '--kubeconfig', shop.path], { input });
    assert.equal(viaFlag.code, 0, viaFlag.stderr);
    assert.deepEqual(rows(viaFlag.stdout), inShop);
    assert.match(viaFlag.stderr, /3 references checked: 0 required missing, 0 optional missing, 0 failed/);

    const viaEnv = await runKom(['refs', '--check', '-o', 'json'], { input, env: { ...process.env, KUBECONFIG: shop.path } });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    const doc = JSON.parse(viaEnv.stdout) as { objects: { namespace: string; references: { namespace: string; status: string }[] }[] };
    assert.deepEqual(doc.objects.map((o) => [o.namespace, ...o.references.map((r) => `${r.namespace} ${r.status}`)]), [['shop', 'shop found', 'shop found', 'shop found']]);

    // ~/.kube/config, when $KUBECONFIG is not set.
    await mkdir(join(home, '.kube'));
    await writeFile(join(home, '.kube', 'config'), withContextNamespace(server.kubeconfigYaml(), 'shop'), { mode: 0o600 });
    const withoutKubeconfig = { ...process.env };
    delete withoutKubeconfig['KUBECONFIG'];
    const viaHome = await runKom(['refs', '--check'], { input, env: { ...withoutKubeconfig, HOME: home } });
    assert.equal(viaHome.code, 0, viaHome.stderr);
    assert.deepEqual(rows(viaHome.stdout), inShop);

    // -n wins over the context: nothing is in default.
    const overridden = await runKom(['refs', '--check', '--kubeconfig', shop.path, '-n', 'default'], { input });
    assert.equal(overridden.code, 3, overridden.stderr);
    assert.deepEqual(rows(overridden.stdout).map((cells) => [cells[0], cells[2], cells[5]]), [
      ['Deployment/default/api', 'registry', 'MISSING'],
      ['Deployment/default/api', 'db', 'MISSING'],
      ['Deployment/default/api', 'web-env', 'MISSING'],
    ]);

    // Without --check the same namespace is printed; no kubeconfig anywhere means "default".
    const offline = await runKom(['refs', '--kubeconfig', shop.path], { input });
    assert.equal(offline.code, 0, offline.stderr);
    assert.deepEqual(rows(offline.stdout), inShop.map((cells) => cells.slice(0, 5)));
    const offlineHome = await runKom(['refs', '-o', 'json'], { input, env: { ...withoutKubeconfig, HOME: home } });
    assert.equal(offlineHome.code, 0, offlineHome.stderr);
    assert.equal((JSON.parse(offlineHome.stdout) as { objects: { namespace: string }[] }).objects[0]?.namespace, 'shop');
    const none = await runKom(['refs'], { input, env: { ...process.env, KUBECONFIG: join(home, 'no-such-kubeconfig') } });
    assert.equal(none.code, 0, none.stderr);
    assert.equal(rows(none.stdout)[0]?.[0], 'Deployment/default/api');
  } finally {
    await shop.remove();
    await rm(home, { recursive: true, force: true });
  }
});

test('a kubeconfig named with --kubeconfig must be readable, also without --check; a context namespace that is no name is refused', async () => {
  const input = 'kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, envFrom: [{secretRef: {name: s}}]}]}\n';
  const missing = await runKom(['refs', '--kubeconfig', '/nonexistent/kubeconfig'], { input });
  assert.equal(missing.code, 1, missing.stderr);
  assert.match(missing.stderr, /kom refs: cannot load the kubeconfig \/nonexistent\/kubeconfig: no such file/);
  assert.equal(missing.stdout, '');
  const bad = await writeKubeconfig(withContextNamespace(server.kubeconfigYaml(), 'Not_A/Namespace'));
  try {
    const result = await runKom(['refs', '--kubeconfig', bad.path], { input });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /the kubeconfig's current context has the namespace "Not_A\/Namespace", which is not a namespace name \(give -n NAMESPACE\)/);
    const withFlag = await runKom(['refs', '--kubeconfig', bad.path, '-n', 'ops'], { input });
    assert.equal(withFlag.code, 0, withFlag.stderr);
    assert.equal(rows(withFlag.stdout)[0]?.[0], 'Pod/ops/p');
  } finally {
    await bad.remove();
  }
});

test('--help says where objects without a namespace go', async () => {
  const { stdout } = await runKom(['refs', '--help']);
  assert.match(stdout.replace(/\s+/g, ' '), /into --namespace when given, else into the namespace of the kubeconfig's current context, else into "default"/);
});

test('--check with a kubeconfig whose user reads its token from a tokenFile (client-go field) sends that token', async () => {
  const yaml = server.kubeconfigYaml();
  const token = /^\s+token: (\S+)$/m.exec(yaml)?.[1];
  assert.ok(token, 'the embedded server writes a token user');
  const dir = await writeKubeconfig('');
  try {
    const tokenPath = join(dir.dir, 'token');
    await writeFile(tokenPath, `${token}\n`, { mode: 0o600 });
    await writeFile(dir.path, yaml.replace(/^(\s+)token: \S+$/m, `$1tokenFile: ${tokenPath}`), { mode: 0o600 });
    const result = await runKom(['refs', '--check', '--kubeconfig', dir.path, '-n', 'shop', workloads]);
    // Without the token every check fails (401): "9 failed", exit 1.
    assert.match(result.stderr, /9 references checked: .* 0 failed/, 'the token from the file was sent');
    assert.notEqual(result.code, 1, result.stderr);
    assert.ok(!(result.stdout + result.stderr).includes(token), 'the token is never printed');
  } finally {
    await dir.remove();
  }
});
