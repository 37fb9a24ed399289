import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { generateServerCertificates } from '../apiserver/certs.ts';
import { buildKubeConfig, kubeconfigYaml } from '../apiserver/kubeconfig.ts';
import { realClock } from '../util/clock.ts';
import { checkDurationMs } from '../util/duration.ts';
import { findControlPlaneBinaries } from './control-plane-binaries.ts';
import { forgetOnExit, freePort, lostPortRace, removeOnExit, ServerProcess } from './child-process.ts';

/** A user of the static token file, for tests of restricted identities (RBAC). */
export interface ControlPlaneUser {
  name: string;
  groups?: string[];
}

export interface ControlPlaneOptions {
  /** Folder holding etcd and kube-apiserver. @default KUBEBUILDER_ASSETS, else the project's `npm run kube:build` output */
  binaryDir?: string;
  /** Users besides the admin (group system:masters), each with its own token; they start with no permissions (RBAC). */
  users?: ControlPlaneUser[];
  /** Extra kube-apiserver flags (`--feature-gates=...`); they come after ours, so they win. */
  apiServerFlags?: string[];
  /** Extra etcd flags. */
  etcdFlags?: string[];
  /** How long each server may take to become ready. @default 60_000 */
  startTimeoutMs?: number;
}

/** A running etcd and kube-apiserver on loopback; see startControlPlane. */
export interface ControlPlane {
  /** https://127.0.0.1:PORT of kube-apiserver. The port stays the same across restartApiServer(). */
  readonly url: string;
  /** http://127.0.0.1:PORT of etcd's client API. */
  readonly etcdUrl: string;
  /** PEM of the CA that signed the serving certificate. */
  readonly caCert: string;
  /** The temporary folder with etcd's data, the certificates, keys and token file (mode 0600); stop() removes it. */
  readonly dir: string;
  /** A KubeConfig for `user` (default: the admin, in group system:masters). */
  kubeConfig(user?: string): KubeConfig;
  /** The same as a kubeconfig file. */
  kubeconfigYaml(user?: string): string;
  /** Stops kube-apiserver and starts it again on the same port over the same etcd; resolves once /readyz answers. */
  restartApiServer(): Promise<void>;
  /** Compacts etcd's history up to its current revision (watches from older resourceVersions then get 410 Gone); returns that revision. */
  compact(): Promise<number>;
  /** Stops both servers and removes the temporary folder. Safe to call twice. */
  stop(): Promise<void>;
}

const admin = 'admin';
const graceMs = 10_000;
const portAttempts = 4;

interface HttpAnswer {
  status: number;
  body: string;
}

const maxAnswerBytes = 1 << 20;

function send(url: string, init: { method?: string; body?: string; ca?: string; token?: string }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const headers: Record<string, string> = {};
    if (init.token !== undefined) headers['authorization'] = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const options = { method: init.method ?? 'GET', headers, agent: false as const, timeout: 5_000 };
    const req = target.protocol === 'https:' ? httpsRequest(target, { ...options, ca: init.ca }) : httpRequest(target, options);
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer in 5 s`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxAnswerBytes) req.destroy(new Error(`${url}: answer larger than ${maxAnswerBytes} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.end(init.body);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => realClock.setTimeout(resolve, ms));

/**
 * Polls `probe` with backoff (50 ms doubling to 1 s) until it returns true,
 * the process exits, or `timeoutMs` passes. Real process start-up: real time.
 */
async function waitUntilReady(proc: ServerProcess, what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = realClock.now() + timeoutMs;
  let delay = 50;
  let last = 'no answer yet';
  for (;;) {
    if (!proc.running) {
      throw new StartError(proc, `${proc.name} exited (${proc.exitDescription}) before ${what} was ready`);
    }
    try {
      if (await probe()) return;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (realClock.now() >= deadline) {
      throw new StartError(proc, `${what} not ready after ${timeoutMs} ms (last probe: ${last})`);
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 1_000);
  }
}

/** A server that did not start; the last lines of its output end the message. */
class StartError extends Error {
  constructor(proc: ServerProcess, message: string) {
    super(`startControlPlane: ${message}; last output of ${proc.name}:\n${proc.tail()}`);
    this.name = 'StartError';
  }
}

/**
 * Starts etcd and kube-apiserver on free loopback ports, the way
 * controller-runtime's envtest does for Go: a fresh CA and serving
 * certificate, a static token file (an admin in system:masters plus
 * `options.users`), the service-account signing key, authorization mode
 * RBAC and a data folder in the system temp folder. Resolves once
 * kube-apiserver's /readyz answers 200.
 *
 * stop() ends both servers and removes every file; so does the exit of the
 * Node process, or SIGINT, SIGTERM or SIGHUP, if stop() was never called.
 * Binaries: see findControlPlaneBinaries (KUBEBUILDER_ASSETS, or
 * `npm run kube:build`).
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const timeoutMs = checkDurationMs('startControlPlane: options.startTimeoutMs', options.startTimeoutMs ?? 60_000, { min: 1 });
  const binaries = findControlPlaneBinaries(options.binaryDir);
  const users = [{ name: admin, groups: ['system:masters'] }, ...(options.users ?? [])];
  const names = new Set<string>();
  for (const user of users) {
    if (!/^[\w.@:-]{1,253}$/.test(user.name) || names.has(user.name)) {
      throw new TypeError(`startControlPlane: user name ${JSON.stringify(user.name)} must be unique and made of letters, digits and . _ @ : -`);
    }
    for (const group of user.groups ?? []) {
      if (!/^[\w.@:-]{1,253}$/.test(group)) throw new TypeError(`startControlPlane: group ${JSON.stringify(group)} of ${user.name} must be made of letters, digits and . _ @ : -`);
    }
    names.add(user.name);
  }

  const dir = mkdtempSync(join(tmpdir(), 'kom-control-plane-'));
  removeOnExit(dir);
  const secretFile = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };

  const tokens = new Map(users.map((u) => [u.name, randomBytes(24).toString('hex')]));
  const tokenFile = secretFile(
    'tokens.csv',
    users.map((u) => `${tokens.get(u.name) ?? ''},${u.name},${u.name},"${(u.groups ?? []).join(',')}"`).join('\n') + '\n',
  );
  const certs = generateServerCertificates(['127.0.0.1', 'localhost']);
  const certFile = secretFile('serving.crt', certs.serverCert);
  const keyFile = secretFile('serving.key', certs.serverKey);
  const serviceAccount = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const saKeyFile = secretFile('service-account.key', serviceAccount.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const saPubFile = secretFile('service-account.pub', serviceAccount.publicKey.export({ type: 'spki', format: 'pem' }).toString());

  let etcd: ServerProcess | undefined;
  let apiServer: ServerProcess | undefined;
  let stopped = false;

  const cleanup = async (): Promise<void> => {
    await apiServer?.stop(realClock, graceMs);
    await etcd?.stop(realClock, graceMs);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    forgetOnExit(dir);
  };

  try {
    // etcd, retried with fresh ports if another process took one meanwhile.
    let etcdUrl = '';
    for (let attempt = 1; ; attempt++) {
      const clientPort = await freePort();
      let peerPort = await freePort();
      while (peerPort === clientPort) peerPort = await freePort();
      etcdUrl = `http://127.0.0.1:${clientPort}`;
      const peerUrl = `http://127.0.0.1:${peerPort}`;
      etcd = new ServerProcess('etcd', binaries.etcd, [
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=default=${peerUrl}`,
        '--unsafe-no-fsync',
        ...(options.etcdFlags ?? []),
      ]);
      const proc = etcd;
      try {
        await waitUntilReady(proc, 'etcd', timeoutMs, async () => (await send(`${etcdUrl}/health`, {})).status === 200);
        break;
      } catch (err) {
        await proc.stop(realClock, graceMs);
        if (attempt < portAttempts && lostPortRace(proc.tail())) {
          rmSync(join(dir, 'etcd'), { recursive: true, force: true });
          continue;
        }
        throw err;
      }
    }

    const adminToken = tokens.get(admin) ?? '';
    let port = 0;
    const startApiServer = (): ServerProcess =>
      new ServerProcess('kube-apiserver', binaries.kubeApiServer, [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        // The endpoint reconciler refuses a loopback advertise address; no pod needs the kubernetes Service's endpoints here.
        '--endpoint-reconciler-type=none',
        `--secure-port=${port}`,
        `--cert-dir=${join(dir, 'certs')}`,
        `--tls-cert-file=${certFile}`,
        `--tls-private-key-file=${keyFile}`,
        `--token-auth-file=${tokenFile}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${saPubFile}`,
        `--service-account-signing-key-file=${saKeyFile}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--allow-privileged=true',
        '--profiling=false',
        // On shutdown, open watches are told to retry (GOAWAY) instead of
        // holding the server for its 60 s request timeout: a restart with
        // watches open takes about 5 s, not 15.
        '--shutdown-send-retry-after=true',
        ...(options.apiServerFlags ?? []),
      ]);
    const waitForApiServer = (proc: ServerProcess): Promise<void> =>
      waitUntilReady(proc, 'kube-apiserver', timeoutMs, async () => {
        const answer = await send(`https://127.0.0.1:${port}/readyz`, { ca: certs.caCert, token: adminToken });
        return answer.status === 200;
      });

    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      apiServer = startApiServer();
      const proc = apiServer;
      try {
        await waitForApiServer(proc);
        break;
      } catch (err) {
        await proc.stop(realClock, graceMs);
        if (attempt < portAttempts && lostPortRace(proc.tail())) continue;
        throw err;
      }
    }

    const url = `https://127.0.0.1:${port}`;
    const access = (user: string): { url: string; token: string; caCert: string; name: string } => {
      const token = tokens.get(user);
      if (token === undefined) throw new TypeError(`ControlPlane: no user ${JSON.stringify(user)} (known: ${[...tokens.keys()].join(', ')})`);
      return { url, token, caCert: certs.caCert, name: user };
    };

    return {
      url,
      etcdUrl,
      caCert: certs.caCert,
      dir,
      kubeConfig: (user = admin) => buildKubeConfig(access(user)),
      kubeconfigYaml: (user = admin) => kubeconfigYaml(access(user)),
      async restartApiServer() {
        if (stopped) throw new Error('ControlPlane: restartApiServer() after stop()');
        await apiServer?.stop(realClock, graceMs);
        apiServer = startApiServer();
        try {
          await waitForApiServer(apiServer);
        } catch (err) {
          if (lostPortRace(apiServer.tail())) {
            throw new Error(`ControlPlane: restartApiServer(): port ${port} was taken by another process while kube-apiserver was down`, { cause: err });
          }
          throw err;
        }
      },
      async compact() {
        if (stopped) throw new Error('ControlPlane: compact() after stop()');
        // etcd's JSON gateway: read the current revision, then compact to it.
        const head = await send(`${etcdUrl}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('/').toString('base64') }) });
        const revision = Number((JSON.parse(head.body) as { header?: { revision?: string } }).header?.revision);
        if (head.status !== 200 || !Number.isSafeInteger(revision)) {
          throw new Error(`ControlPlane: compact(): etcd answered ${head.status} without a revision`);
        }
        const done = await send(`${etcdUrl}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: String(revision), physical: true }) });
        if (done.status !== 200) throw new Error(`ControlPlane: compact(): etcd answered ${done.status}: ${done.body.slice(0, 200)}`);
        return revision;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
