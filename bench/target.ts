// The API server under test as the bench sees it (URL, CA, token from the
// kubeconfig `kom apiserver` writes), and raw HTTP/2 requests for the writer
// that seeds and updates secrets outside every client under test.
import { connect } from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import { KubeConfig } from '@kubernetes/client-node';

export interface Target {
  kubeconfigPath: string;
  url: string;
  port: number;
  caCert: string;
  token: string;
}

/** Reads a kubeconfig written by `kom apiserver` (CA data and bearer token inline). */
export function readTarget(kubeconfigPath: string): Target {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (cluster === null || cluster.caData === undefined || user?.token === undefined) {
    throw new Error(`${kubeconfigPath}: expected a cluster with certificate-authority-data and a user with a token`);
  }
  const url = new URL(cluster.server);
  return { kubeconfigPath, url: cluster.server, port: Number(url.port), caCert: Buffer.from(cluster.caData, 'base64').toString('utf8'), token: user.token };
}

/** One HTTP/2 connection to the target, resolved once the server's SETTINGS arrived. */
export function connectH2(target: Target): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(target.url, { ca: target.caCert });
    session.once('remoteSettings', () => {
      session.off('error', reject);
      resolve(session);
    });
    session.once('error', reject);
  });
}

export interface H2Response {
  status: number;
  body: string;
}

/** One request on `session`; the body is JSON unless `contentType` says otherwise; rejects after `timeoutMs`. */
export function h2Request(session: ClientHttp2Session, target: Target, method: string, path: string, body?: unknown, contentType = 'application/json', timeoutMs = 30_000): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': method, ':path': path, authorization: `Bearer ${target.token}`, 'content-type': contentType, accept: 'application/json' });
    let status = 0;
    let text = '';
    stream.setEncoding('utf8');
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.on('data', (chunk: string) => (text += chunk));
    const timer = setTimeout(() => stream.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)), timeoutMs);
    stream.on('end', () => {
      clearTimeout(timer);
      resolve({ status, body: text });
    });
    stream.on('error', (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
    stream.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Runs `fn` over `items` with at most `width` in flight. */
export async function pool<T>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i] as T, i);
      }
    }),
  );
}

export const benchNamespace = 'bench';

/** The name of the i-th benchmark secret. */
export function secretName(i: number): string {
  return `s-${String(i).padStart(5, '0')}`;
}

/** The base64 value a secret's `data.v` holds for `marker`. */
export function encodeMarker(marker: string): string {
  return Buffer.from(marker, 'utf8').toString('base64');
}

/** The name of the i-th secret that no pod references (the crowded namespace's extra secrets). */
export function unreferencedName(i: number): string {
  return `x-${String(i).padStart(6, '0')}`;
}

/**
 * Creates the namespace and `count` secrets through raw HTTP/2 (100 in
 * flight), named by `name` (the referenced ones by default); answers how long it took.
 */
export async function seedSecrets(target: Target, count: number, name: (i: number) => string = secretName): Promise<number> {
  const start = performance.now();
  const session = await connectH2(target);
  try {
    const ns = await h2Request(session, target, 'POST', '/api/v1/namespaces', { metadata: { name: benchNamespace } });
    if (ns.status !== 201 && ns.status !== 409) throw new Error(`creating namespace ${benchNamespace}: HTTP ${ns.status}`);
    const names = Array.from({ length: count }, (_, i) => name(i));
    await pool(names, 100, async (name) => {
      const body = { metadata: { name, labels: { app: 'bench' } }, type: 'Opaque', data: { v: encodeMarker('0') } };
      const res = await h2Request(session, target, 'POST', `/api/v1/namespaces/${benchNamespace}/secrets`, body);
      if (res.status !== 201) throw new Error(`creating secret ${name}: HTTP ${res.status}`);
    });
  } finally {
    session.close();
  }
  return performance.now() - start;
}
