import { createHash } from 'node:crypto';
import type { Agent as HttpAgent } from 'node:http';
import type { RequestOptions } from 'node:https';
import type { KubeConfig, User } from '@kubernetes/client-node';
import type { Clock } from '../util/clock.ts';
import { ExecCredentials, execConfigOf } from './exec-credential.ts';
import { TokenFiles } from './token-file.ts';
import { CredentialsError, KubeConfigError } from './errors.ts';

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

/** What readCredentials reads itself rather than through client-node. */
export interface CredentialSources {
  tokenFiles: TokenFiles;
  exec: ExecCredentials;
}

/**
 * The token file of a KubeConfig user: its `tokenFile` (client-go's field;
 * loadKubeConfig keeps it, and `token-file`, which client-node's loader
 * drops or reads only once), or the `config.tokenFile` of its auth-provider
 * (client-node's in-cluster config).
 */
function tokenFileOf(user: User): string | undefined {
  const own = (user as { tokenFile?: unknown }).tokenFile;
  if (typeof own === 'string' && own !== '') return own;
  const provided = (user.authProvider as { config?: { tokenFile?: unknown } } | undefined | null)?.config?.tokenFile;
  return typeof provided === 'string' && provided !== '' ? provided : undefined;
}

/**
 * The user client-node is shown: one whose token file and exec plugin were
 * dealt with here (client-node reads a token file once, or every minute on
 * the wall clock, and puts a failing plugin's stderr into its error). The
 * token read from the file, or the plugin's token and client certificate,
 * stand in their place; everything else is the user as configured.
 */
async function resolvedUser(user: User, sources: CredentialSources): Promise<User> {
  const tokenFile = tokenFileOf(user);
  const exec = execConfigOf(user);
  if (tokenFile === undefined && exec === undefined) return user;
  const provider = user.authProvider as { config?: { tokenFile?: unknown; exec?: unknown } } | undefined | null;
  const resolved: Record<string, unknown> = { ...user, exec: undefined };
  if (provider?.config?.tokenFile !== undefined || provider?.config?.exec !== undefined) resolved['authProvider'] = undefined;
  if (exec !== undefined) {
    const status = await sources.exec.credential(user.name, exec);
    // As in client-node, a token in the KubeConfig wins over the plugin's.
    if (status.token !== undefined && (user.token === undefined || user.token === '')) resolved['token'] = status.token;
    if (status.clientCertificateData !== undefined && status.clientKeyData !== undefined) {
      resolved['certData'] = Buffer.from(status.clientCertificateData).toString('base64');
      resolved['keyData'] = Buffer.from(status.clientKeyData).toString('base64');
      resolved['certFile'] = undefined;
      resolved['keyFile'] = undefined;
    }
  }
  // As in client-go, a token file wins over the user's token (which client-node's
  // loader may have read from it once), and the token stands in while the file
  // cannot be read.
  if (tokenFile !== undefined) {
    try {
      resolved['token'] = await sources.tokenFiles.token(tokenFile);
    } catch (err) {
      if (typeof user.token !== 'string' || user.token === '') throw err;
    }
  }
  return resolved as unknown as User;
}

/**
 * The KubeConfig as client-node is to read it: the current user resolved
 * (resolvedUser) and, for an http:// server, the cluster with
 * insecure-skip-tls-verify set (client-node refuses an http:// server
 * otherwise, while kubectl and client-go accept one: there is no TLS to
 * verify). The view shares the KubeConfig's state (authenticators, agent
 * cache) through the prototype.
 */
function kubeConfigView(kubeConfig: KubeConfig, user: User | null, plainHttp: boolean): KubeConfig {
  const view = Object.create(kubeConfig) as KubeConfig;
  view.getCurrentUser = () => user;
  if (plainHttp) {
    view.getCurrentCluster = () => {
      const cluster = kubeConfig.getCurrentCluster();
      return cluster === null ? null : { ...cluster, skipTLSVerify: true };
    };
  }
  return view;
}

/**
 * Reads the current cluster and user of `kubeConfig`: token files and exec
 * plugins through `sources` (a token file is read again every minute, a
 * plugin's credential is kept until it expires), everything else through
 * client-node's `applyToHTTPSOptions` (which reads certificate files again
 * each time). Throws a KubeConfigError when there is no current cluster or
 * its server URL is not http(s), and a CredentialsError when the
 * credentials cannot be produced (a plugin that fails, a missing file); the
 * error quotes no credential and nothing a plugin printed.
 */
export async function readCredentials(kubeConfig: KubeConfig, sources: CredentialSources): Promise<RequestCredentials> {
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) {
    throw new KubeConfigError(`KubeConfig has no current cluster (current-context ${JSON.stringify(kubeConfig.getCurrentContext())})`);
  }
  let origin: URL;
  try {
    origin = new URL(cluster.server);
  } catch {
    throw new KubeConfigError(`KubeConfig cluster ${JSON.stringify(cluster.name)} has an invalid server URL`);
  }
  if (origin.protocol !== 'https:' && origin.protocol !== 'http:') {
    throw new KubeConfigError(`KubeConfig cluster ${JSON.stringify(cluster.name)}: server URL must be http or https, got ${origin.protocol}`);
  }
  const opts: RequestOptions & { headers: Record<string, unknown> } = { headers: {} };
  try {
    const configured = kubeConfig.getCurrentUser();
    const user = configured === null ? null : await resolvedUser(configured, sources);
    await kubeConfigView(kubeConfig, user, origin.protocol === 'http:').applyToHTTPSOptions(opts);
  } catch (err) {
    const user = kubeConfig.getCurrentUser()?.name ?? '';
    const detail = err instanceof Error ? err.message.trim() : String(err);
    throw new CredentialsError(`could not read the credentials of KubeConfig user ${JSON.stringify(user)} for cluster ${JSON.stringify(cluster.name)}: ${detail}`, { cause: err });
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
    // A token from a file usually ends with a newline: trimmed, as client-go does.
    const trimmed = value.trim();
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(trimmed)) {
      throw new CredentialsError(`the credentials of KubeConfig user ${JSON.stringify(kubeConfig.getCurrentUser()?.name ?? '')} give header "${name}" a control character`);
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
 * credentials give a new object. Token files are read again when the token
 * held is a minute old on `clock` (TOKEN_FILE_REREAD_MS) and exec plugins
 * run again when their credential expires; after a 401, invalidate() has
 * both read again at the next read.
 */
export class CredentialReader {
  readonly #kubeConfig: KubeConfig;
  readonly #sources: CredentialSources;
  #inFlight: Promise<RequestCredentials> | undefined;
  #last: RequestCredentials | undefined;

  constructor(kubeConfig: KubeConfig, clock: Clock) {
    this.#kubeConfig = kubeConfig;
    this.#sources = { tokenFiles: new TokenFiles(clock), exec: new ExecCredentials(clock) };
  }

  read(): Promise<RequestCredentials> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    const reading: Promise<RequestCredentials> = readCredentials(this.#kubeConfig, this.#sources)
      .then((fresh) => {
        const last = this.#last;
        if (last !== undefined && sameCredentials(last, fresh)) return last;
        this.#last = fresh;
        return fresh;
      })
      .finally(() => {
        if (this.#inFlight === reading) this.#inFlight = undefined;
      });
    this.#inFlight = reading;
    return reading;
  }

  /**
   * The server answered 401 to a request that started at `time` (on the
   * clock): token files read and plugin credentials obtained until then are
   * read again by the next read(), which starts afresh.
   */
  invalidate(time: number): void {
    this.#sources.tokenFiles.forgetOlderThan(time);
    this.#sources.exec.forgetOlderThan(time);
    this.#inFlight = undefined;
  }

  /** Kills exec plugins still running. */
  close(): void {
    this.#sources.exec.close();
  }
}
