// kubectl's validation flow against the embedded server (issue 12): create
// and apply with an unknown field, --validate=warn and --validate=false, and
// `kubectl explain` from the OpenAPI v3 schemas. kubectl 1.27 and later send
// fieldValidation=Strict to a server whose OpenAPI v3 declares it; older
// ones (Debian's 1.20 in CI) read /openapi/v2, which has no definitions, so
// they validate nothing and the server's default (Warn) applies.
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KUBECTL, startKubectlSession, type KubectlSession } from './kubectl-runner.ts';

function kubectlMinor(): number {
  try {
    const out = execFileSync(KUBECTL, ['version', '--client', '-o', 'json'], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/dev/null' } });
    return Number.parseInt((JSON.parse(out) as { clientVersion: { minor: string } }).clientVersion.minor, 10);
  } catch {
    return 0; // too old for -o json: treat as a kubectl without server-side validation
  }
}

const minor = kubectlMinor();
const strict = minor >= 27;

const configMap = (name: string): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: default
data:
  a: "1"
bogusField: 1
`;

const podWithTypo = `apiVersion: v1
kind: Pod
metadata:
  name: typo
  namespace: default
spec:
  containers:
  - name: app
    image: nginx
    imagePullPolcy: Always
`;

describe(`kubectl validation (${KUBECTL}, 1.${String(minor)})`, () => {
  let s: KubectlSession;
  before(async () => {
    s = await startKubectlSession();
  });
  after(() => s.close());

  const stored = async (kind: string, name: string): Promise<Record<string, unknown> | undefined> => {
    const got = await s.kubectl('get', kind, name, '-n', 'default', '-o', 'json');
    return got.code === 0 ? (JSON.parse(got.stdout) as Record<string, unknown>) : undefined;
  };

  it('create -f with an unknown field: kube\'s strict decoding error, nothing stored (before: stored)', async () => {
    const r = await s.kubectlWithInput(configMap('strict'), 'create', '-f', '-');
    if (strict) {
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Error from server \(BadRequest\): error when creating "STDIN": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogusField"/);
      assert.equal(await stored('configmap', 'strict'), undefined);
    } else {
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await stored('configmap', 'strict'))?.['bogusField'], undefined);
    }
  });

  it('create -f of a pod with imagePullPolcy names the field by its path', { skip: !strict && 'kubectl before 1.27 does not ask for Strict' }, async () => {
    const r = await s.kubectlWithInput(podWithTypo, 'create', '-f', '-');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /strict decoding error: unknown field "spec\.containers\[0\]\.imagePullPolcy"/);
    assert.equal(await stored('pod', 'typo'), undefined);
  });

  // kubectl 1.25 and 1.26 look for fieldValidation in /openapi/v2, which has no paths here, and validate client-side instead.
  it('create --validate=warn warns and stores the object without the field', { skip: !strict && 'kubectl before 1.27 does not send fieldValidation to this server' }, async () => {
    const r = await s.kubectlWithInput(configMap('warned'), 'create', '--validate=warn', '-f', '-');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: unknown field "bogusField"/);
    const cm = await stored('configmap', 'warned');
    assert.deepEqual(cm?.['data'], { a: '1' });
    assert.equal(cm?.['bogusField'], undefined);
  });

  it('create --validate=false stores the object without the field, silently (kubectl 1.27+ sends Ignore; older ones nothing, so the server warns)', async () => {
    const r = await s.kubectlWithInput(configMap('ignored'), 'create', '--validate=false', '-f', '-');
    assert.equal(r.code, 0, r.stderr);
    if (strict) assert.doesNotMatch(r.stderr, /unknown field/);
    else assert.match(r.stderr, /unknown field "bogusField"/);
    const cm = await stored('configmap', 'ignored');
    assert.deepEqual(cm?.['data'], { a: '1' });
    assert.equal(cm?.['bogusField'], undefined);
  });

  it('apply -f of an existing object with an unknown field fails and leaves it unchanged', { skip: !strict && 'kubectl before 1.27 does not ask for Strict' }, async () => {
    const plain = configMap('applied').replace('bogusField: 1\n', '');
    assert.equal((await s.kubectlWithInput(plain, 'apply', '-f', '-')).code, 0);
    const before = await stored('configmap', 'applied');
    const r = await s.kubectlWithInput(configMap('applied').replace('a: "1"', 'a: "2"'), 'apply', '-f', '-');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /strict decoding error: unknown field "bogusField"/);
    const after = await stored('configmap', 'applied');
    assert.deepEqual(after?.['data'], { a: '1' });
    assert.equal((after?.['metadata'] as { resourceVersion: string }).resourceVersion, (before?.['metadata'] as { resourceVersion: string }).resourceVersion);
  });

  it('apply merges containers and env by name, from the strategic merge rules the served schemas carry', { skip: !strict && 'kubectl before 1.27 reads /openapi/v2' }, async () => {
    const pod = (image: string): string => `apiVersion: v1
kind: Pod
metadata: {name: merged, namespace: default, labels: {a: "1"}}
spec:
  containers:
  - {name: a, image: ${image}, env: [{name: X, value: "1"}]}
  - {name: b, image: b}
`;
    assert.equal((await s.kubectlWithInput(pod('a1'), 'apply', '-f', '-')).code, 0);
    // Changes made by someone else, which apply must keep.
    const other = '{"metadata":{"labels":{"other":"x"}},"spec":{"containers":[{"name":"a","env":[{"name":"Y","value":"2"}]}]}}';
    assert.equal((await s.kubectl('patch', 'pod', 'merged', '-n', 'default', '--type=strategic', '-p', other)).code, 0);
    const r = await s.kubectlWithInput(pod('a2'), 'apply', '-f', '-');
    assert.equal(r.code, 0, r.stderr);
    const got = (await stored('pod', 'merged')) as { metadata: { labels: unknown }; spec: { containers: { name: string; image: string; env?: unknown }[] } };
    assert.deepEqual(got.metadata.labels, { a: '1', other: 'x' });
    assert.deepEqual(got.spec.containers.map((c) => [c.name, c.image, c.env]), [
      ['a', 'a2', [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }]],
      ['b', 'b', undefined],
    ]);
  });

  it('explain secret, pod.spec.containers and configmap.data (OpenAPI v3)', { skip: !strict && 'kubectl before 1.27 explains from /openapi/v2' }, async () => {
    const secret = await s.kubectl('explain', 'secret');
    assert.equal(secret.code, 0, secret.stderr);
    assert.match(secret.stdout, /KIND:\s+Secret/);
    assert.match(secret.stdout, /A Secret holds confidential data/);
    for (const field of ['data', 'immutable', 'metadata', 'stringData', 'type']) assert.match(secret.stdout, new RegExp(`^  ${field}\\t`, 'm'));
    const containers = await s.kubectl('explain', 'pod.spec.containers');
    assert.equal(containers.code, 0, containers.stderr);
    assert.match(containers.stdout, /FIELD: containers <\[\]Container>/);
    assert.match(containers.stdout, /^ {2}name\t<string> -required-/m);
    assert.match(containers.stdout, /^ {2}imagePullPolicy\t<string>/m);
    const data = await s.kubectl('explain', 'configmap.data');
    assert.equal(data.code, 0, data.stderr);
    assert.match(data.stdout, /FIELD: data <map\[string\]string>/);
    const missing = await s.kubectl('explain', 'pod.spec.imagePullPolcy');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /field "imagePullPolcy" does not exist/);
  });
});
