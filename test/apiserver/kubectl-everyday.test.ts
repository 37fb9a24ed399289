// kubectl's everyday commands against the embedded server: describe (with its
// events), get events, events, cluster-info, get/create services, auth can-i
// (and --list) and auth whoami. Written against kubectl v1.37.2; an older
// kubectl (Debian's 1.20 in CI) skips the commands it does not have.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KUBECTL, startKubectlSession } from './kubectl-runner.ts';
import type { KubectlSession } from './kubectl-runner.ts';
import { req } from './helpers.ts';

describe(`kubectl everyday commands (${KUBECTL})`, () => {
  let session: KubectlSession;
  let kubectl: KubectlSession['kubectl'];
  /** kubectl's minor version: `kubectl events` is 1.26+, `kubectl auth whoami` 1.28+ (authentication.k8s.io/v1). */
  let minor = 0;

  before(async () => {
    session = await startKubectlSession();
    ({ kubectl } = session);
    const version = await kubectl('version', '--client', '-o', 'json');
    minor = Number.parseInt((JSON.parse(version.stdout) as { clientVersion: { minor: string } }).clientVersion.minor, 10);
  });
  after(() => session.close());

  it('describe configmap shows the events about it, and get events lists them with kube\'s columns', async () => {
    assert.equal((await kubectl('create', 'configmap', 'app', '--from-literal=k=v')).code, 0);
    const none = await kubectl('describe', 'configmap', 'app');
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /^Events:\s+<none>/m);
    const cm = await req(session.server, 'GET', '/api/v1/namespaces/default/configmaps/app');
    const uid = (cm.json as { metadata: { uid: string } }).metadata.uid;
    const involvedObject = { kind: 'ConfigMap', name: 'app', namespace: 'default', uid, apiVersion: 'v1' };
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const [name, reason, type, obj] of [['app.1', 'Checked', 'Normal', involvedObject], ['app.2', 'Stale', 'Warning', involvedObject], ['other.1', 'Unrelated', 'Normal', { ...involvedObject, name: 'other', uid: 'x' }]] as const) {
      const r = await req(session.server, 'POST', '/api/v1/namespaces/default/events', {
        body: { metadata: { name }, involvedObject: obj, reason, type, message: `${reason} it`, source: { component: 'tester' }, firstTimestamp: now, lastTimestamp: now, count: 1 },
      });
      assert.equal(r.status, 201, r.text);
    }
    const described = await kubectl('describe', 'configmap', 'app');
    assert.equal(described.code, 0, described.stderr);
    const events = described.stdout.slice(described.stdout.indexOf('Events:'));
    assert.match(events, /Type\s+Reason\s+Age\s+From\s+Message/);
    assert.match(events, /Normal\s+Checked\s+\S+\s+tester\s+Checked it/);
    assert.match(events, /Warning\s+Stale\s+\S+\s+tester\s+Stale it/);
    assert.doesNotMatch(events, /Unrelated/);
    const get = await kubectl('get', 'events');
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/);
    assert.match(get.stdout, /Warning\s+Stale\s+configmap\/app\s+Stale it/);
    const selected = await kubectl('get', 'events', '--field-selector', 'type=Warning', '-o', 'name');
    assert.equal(selected.stdout.trim(), 'event/app.2');
  });

  it('kubectl events lists the events, for one object with --for', async (t) => {
    if (minor < 26) {
      t.skip(`kubectl 1.${minor} has no \`kubectl events\` (added in 1.26)`);
      return;
    }
    const all = await kubectl('events');
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/);
    assert.match(all.stdout, /Unrelated/);
    const forApp = await kubectl('events', '--for', 'configmap/app', '--types', 'Warning');
    assert.equal(forApp.code, 0, forApp.stderr);
    assert.match(forApp.stdout, /Warning\s+Stale\s+ConfigMap\/app\s+Stale it/);
    assert.doesNotMatch(forApp.stdout, /Checked|Unrelated/);
  });

  it('cluster-info names the server; get services shows the kubernetes Service; create service allocates a ClusterIP', async () => {
    const info = await kubectl('cluster-info');
    assert.equal(info.code, 0, info.stderr);
    // kubectl before 1.21 colours it.
    const plain = info.stdout.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
    assert.ok(plain.includes(`Kubernetes control plane is running at ${session.server.url}`), plain);
    const created = await kubectl('create', 'service', 'clusterip', 'web', '--tcp=80:8080');
    assert.equal(created.code, 0, created.stderr);
    const svc = await kubectl('get', 'services', '-o', 'wide');
    assert.equal(svc.code, 0, svc.stderr);
    assert.match(svc.stdout, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s+SELECTOR\n/);
    assert.match(svc.stdout, /^kubernetes\s+ClusterIP\s+10\.0\.0\.1\s+<none>\s+443\/TCP\s+\S+\s+<none>$/m);
    assert.match(svc.stdout, /^web\s+ClusterIP\s+10\.0\.0\.\d+\s+<none>\s+80\/TCP\s+\S+\s+app=web$/m);
    const target = await kubectl('get', 'service', 'web', '-o', 'jsonpath={.spec.ports[0].targetPort}');
    assert.equal(target.stdout, '8080');
    // describe reads endpoints or endpoint slices too: not served here, which kubectl takes as none.
    const described = await kubectl('describe', 'service', 'kubernetes');
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /^IP:\s+10\.0\.0\.1$/m);
    assert.match(described.stdout, new RegExp(`^TargetPort:\\s+${new URL(session.server.url).port}/TCP$`, 'm'));
    assert.match(described.stdout, /^Endpoints:\s+<none>$/m);
  });

  it('auth can-i answers yes for everything, and --list shows the rules', async () => {
    for (const args of [['get', 'secrets'], ['delete', 'nodes'], ['create', 'deployments.apps', '-n', 'kube-system']]) {
      const r = await kubectl('auth', 'can-i', ...args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout.trim(), 'yes');
    }
    const list = await kubectl('auth', 'can-i', '--list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs\n/);
    assert.match(list.stdout, /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
  });

  it('auth whoami names the server\'s user', async (t) => {
    if (minor < 28) {
      t.skip(`kubectl 1.${minor} has no \`kubectl auth whoami\` on authentication.k8s.io/v1 (1.28+)`);
      return;
    }
    const r = await kubectl('auth', 'whoami');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Username\s+kom-apiserver$/m);
    assert.match(r.stdout, /^Groups\s+\[system:masters system:authenticated\]$/m);
  });

  it('kubectl version shows the server as v1.37.2, without a version-skew warning for kubectl 1.36-1.38', async () => {
    const r = await kubectl('version');
    assert.equal(r.code, 0, r.stderr);
    // kubectl before 1.28 prints the whole version.Info.
    assert.match(r.stdout, /Server Version: (v1\.37\.2\+kom$|version\.Info\{Major:"1", Minor:"37", GitVersion:"v1\.37\.2\+kom")/m);
    // kubectl >= 1.28 warns when the server is more than one minor version away (it did against the v1.32 this server reported before).
    if (minor >= 36 && minor <= 38) assert.doesNotMatch(`${r.stdout}${r.stderr}`, /version skew/);
  });
});
