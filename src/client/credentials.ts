import { createHash } from 'node:crypto';
import type { Agent as HttpAgent } from 'node:http';
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** TLS settings of one connection, as the KubeConfig gives them. */
export interface TlsIdentity {
  ca?: string | Buffer | (string | Buffer)[];
  cert?: string | Buffer | (string | Buffer)[];
  key?: RequestOptions['key'];
  pfx?: RequestOptions['pfx'];
  passphrase?: string;
  rejectUnauthorized?: boolean;
  servername?: string;
}

/** What one request needs from the KubeConfig, read fresh for that request. */
export interface RequestCredentials {
  /** The cluster's server URL, e.g. `https://10.0.0.1:6443` (a path prefix is kept in `basePath`). */
  origin: URL;
  /** The server URL's path without a trailing slash ('' for most servers). */
  basePath: string;
  tls: TlsIdentity;
  /**
   * Identifies the connection a request may share: the server and a digest
   * of its TLS identity (CA, client certificate and key, verification
   * switches). A rotated bearer token keeps the key; a rotated client
   * certificate changes it.
   */
  poolKey: string;
  /** Authorization, impersonation: lower-case names. */
  headers: Record<string, string>;
  /** Set when the cluster has a proxy-url: client-node's proxy agent (HTTP/1.1 only). */
  proxyAgent?: HttpAgent;
}

function digestPart(hash: ReturnType<typeof createHash>, label: string, value: unknown): void {
  hash.update(`${label}:`);
  if (value === undefined || value === null) hash.update('-');
  else if (Array.isArray(value)) for (const v of value) digestPart(hash, `${label}[]`, v);
  else if (Buffer.isBuffer(value) || typeof value === 'string') hash.update(value);
  else hash.update(JSON.stringify(value));
  hash.update('\n');
}

/**
 * client-node refuses an http:// server unless the cluster sets
 * insecure-skip-tls-verify; kubectl and client-go accept one (there is no TLS
 * to verify). This view of the KubeConfig reports the flag set, so
 * applyToHTTPSOptions hands out the headers; it shares the KubeConfig's
 * state (authenticators, exec credential cache) through the prototype.
 */
function plainHttpView(kubeConfig: KubeConfig): KubeConfig {
  const view = Object.create(kubeConfig) as KubeConfig;
  view.getCurrentCluster = () => {
    const cluster = kubeConfig.getCurrentCluster();
    return cluster === null ? null : { ...cluster, skipTLSVerify: true };
  };
  return view;
}

/**
 * Reads the current cluster and user of `kubeConfig` through client-node's
 * `applyToHTTPSOptions`, which runs exec plugins, re-reads token files and
 * certificate files, and returns cached credentials until they expire. Called
 * for every request, so rotated credentials are used as soon as client-node
 * hands them out. Throws an Error naming the problem when there is no current
 * cluster, its server URL is not http(s), or client-node fails to produce the
 * credentials (an exec plugin that fails, a missing certificate file).
 */
export async function readCredentials(kubeConfig: KubeConfig): Promise<RequestCredentials> {
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) {
    throw new Error(`KubeConfig has no current cluster (current-context ${JSON.stringify(kubeConfig.getCurrentContext())})`);
  }
  let origin: URL;
  try {
    origin = new URL(cluster.server);
  } catch {
    throw new Error(`KubeConfig cluster ${JSON.stringify(cluster.name)} has an invalid server URL`);
  }
  if (origin.protocol !== 'https:' && origin.protocol !== 'http:') {
    throw new Error(`KubeConfig cluster ${JSON.stringify(cluster.name)}: server URL must be http or https, got ${origin.protocol}`);
  }
  const opts: RequestOptions & { headers: Record<string, unknown> } = { headers: {} };
  try {
    await (origin.protocol === 'http:' ? plainHttpView(kubeConfig) : kubeConfig).applyToHTTPSOptions(opts);
  } catch (err) {
    const user = kubeConfig.getCurrentUser()?.name ?? '';
    const detail = err instanceof Error ? err.message.trim() : String(err);
    throw new Error(`could not read the credentials of KubeConfig user ${JSON.stringify(user)} for cluster ${JSON.stringify(cluster.name)}: ${detail}`, { cause: err });
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(opts.headers)) {
    if (typeof value === 'string' || typeof value === 'number') headers[name.toLowerCase()] = String(value);
    else if (Array.isArray(value)) headers[name.toLowerCase()] = value.map(String).join(', ');
  }
  if (typeof opts.auth === 'string' && headers.authorization === undefined) {
    headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  }
  for (const [name, value] of Object.entries(headers)) {
    // A token file usually ends with a newline: trimmed, as client-go does.
    const trimmed = value.trim();
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(trimmed)) {
      throw new Error(`the credentials of KubeConfig user ${JSON.stringify(kubeConfig.getCurrentUser()?.name ?? '')} give header "${name}" a control character`);
    }
    headers[name] = trimmed;
  }
  const tls: TlsIdentity = {};
  if (opts.ca !== undefined) tls.ca = opts.ca;
  if (opts.cert !== undefined) tls.cert = opts.cert;
  if (opts.key !== undefined) tls.key = opts.key;
  if (opts.pfx !== undefined) tls.pfx = opts.pfx;
  if (opts.passphrase !== undefined) tls.passphrase = opts.passphrase;
  if (opts.rejectUnauthorized !== undefined) tls.rejectUnauthorized = opts.rejectUnauthorized;
  if (opts.servername !== undefined) tls.servername = opts.servername;
  const hash = createHash('sha256');
  for (const [label, value] of Object.entries(tls)) digestPart(hash, label, value);
  const credentials: RequestCredentials = {
    origin,
    basePath: origin.pathname.replace(/\/+$/, ''),
    tls,
    poolKey: `${origin.origin}#${hash.digest('base64url')}`,
    headers,
  };
  if (cluster.proxyUrl !== undefined && cluster.proxyUrl !== '' && typeof opts.agent === 'object') {
    credentials.proxyAgent = opts.agent;
  }
  return credentials;
}

function sameHeaders(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}

/** Whether two reads give the same request: same server URL, TLS identity (poolKey), headers and proxy agent. */
function sameCredentials(a: RequestCredentials, b: RequestCredentials): boolean {
  return a.poolKey === b.poolKey && a.origin.href === b.origin.href && a.proxyAgent === b.proxyAgent && sameHeaders(a.headers, b.headers);
}

/**
 * Shares one KubeConfig read among the requests that start while it runs:
 * a burst of thousands of watches runs an exec plugin (or reads a token
 * file) once, not once per watch. A request that starts while a read runs
 * gets that read's result; the next request after it starts a fresh read.
 * A read that gives the same credentials as the previous one (same server,
 * TLS identity, headers and proxy) resolves with the previous
 * RequestCredentials object, so that requests in flight and open watches
 * share one copy (client-node decodes the CA anew on every read); rotated
 * credentials give a new object.
 */
export class CredentialReader {
  readonly #kubeConfig: KubeConfig;
  #inFlight: Promise<RequestCredentials> | undefined;
  #last: RequestCredentials | undefined;

  constructor(kubeConfig: KubeConfig) {
    this.#kubeConfig = kubeConfig;
  }

  read(): Promise<RequestCredentials> {
    this.#inFlight ??= readCredentials(this.#kubeConfig)
      .then((fresh) => {
        const last = this.#last;
        if (last !== undefined && sameCredentials(last, fresh)) return last;
        this.#last = fresh;
        return fresh;
      })
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }
}
