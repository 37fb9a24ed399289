import { spawn } from 'node:child_process';
import type { Clock } from '../util/clock.ts';
import { GrowingBuffer } from './growing-buffer.ts';
import { ClientClosedError, CredentialsError } from './errors.ts';

/** A KubeConfig user's `exec` section (client.authentication.k8s.io). */
export interface ExecConfig {
  command: string;
  args?: string[];
  env?: { name: string; value: string }[];
  apiVersion?: string;
  installHint?: string;
}

/** What a plugin's ExecCredential gives. */
export interface ExecCredentialStatus {
  token?: string;
  /** PEM. */
  clientCertificateData?: string;
  /** PEM. */
  clientKeyData?: string;
}

interface Cached {
  readonly status: ExecCredentialStatus;
  /** clock.now() when the plugin was started. */
  readonly obtainedAt: number;
  /** From expirationTimestamp (ms since the epoch); Infinity without one. */
  readonly expiresAt: number;
}

/** An ExecCredential is a token, or a certificate and its key: a few KiB. */
const MAX_PLUGIN_OUTPUT_BYTES = 1024 * 1024;

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** The user's exec section, as client-node finds it (`exec`, or an auth-provider's `config.exec`), or undefined. */
export function execConfigOf(user: { exec?: unknown; authProvider?: unknown }): ExecConfig | undefined {
  const provider = user.authProvider as { config?: { exec?: unknown } } | undefined | null;
  const exec = (user.exec ?? provider?.config?.exec) as Partial<ExecConfig> | undefined | null;
  if (exec === undefined || exec === null || typeof exec !== 'object') return undefined;
  if (typeof exec.command !== 'string' || exec.command === '') throw new CredentialsError('the exec section has no command');
  const config: ExecConfig = { command: exec.command };
  if (isStringArray(exec.args)) config.args = exec.args;
  if (Array.isArray(exec.env)) config.env = exec.env.filter((e) => typeof e?.name === 'string' && typeof e.value === 'string');
  if (typeof exec.apiVersion === 'string') config.apiVersion = exec.apiVersion;
  if (typeof exec.installHint === 'string') config.installHint = exec.installHint;
  return config;
}

/**
 * Runs exec credential plugins as client-go does, and keeps what they give
 * until its expirationTimestamp passes on the clock (or, without one, until
 * forgetOlderThan after a 401). The plugin gets the environment of the
 * process with the section's `env` and KUBERNETES_EXEC_INFO (interactive:
 * false), no stdin, and this process's stderr: whatever it prints there
 * goes straight to our stderr, never into an error, where it could be
 * served (`kom agent` shows errors on /objects) or logged as our own text.
 * Errors name the command and what went wrong (exit code, signal, output
 * that is not an ExecCredential) and quote nothing the plugin wrote. Runs
 * for one user that start together share one run; close() kills the
 * plugins still running.
 */
export class ExecCredentials {
  readonly #clock: Clock;
  readonly #cache = new Map<string, Cached>();
  readonly #running = new Map<string, Promise<ExecCredentialStatus>>();
  readonly #closing = new AbortController();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  credential(userName: string, exec: ExecConfig): Promise<ExecCredentialStatus> {
    const key = JSON.stringify([userName, exec.command, exec.args, exec.env, exec.apiVersion]);
    const cached = this.#cache.get(key);
    if (cached !== undefined && this.#clock.now() < cached.expiresAt) return Promise.resolve(cached.status);
    let running = this.#running.get(key);
    if (running === undefined) {
      running = this.#run(key, exec).finally(() => this.#running.delete(key));
      this.#running.set(key, running);
    }
    return running;
  }

  /** Has every credential obtained at or before `time` obtained anew at the next call (the server answered 401 to a request started at `time`). */
  forgetOlderThan(time: number): void {
    for (const [key, cached] of this.#cache) if (cached.obtainedAt <= time) this.#cache.delete(key);
  }

  /** Kills the plugins still running; their callers get an error. */
  close(): void {
    this.#closing.abort();
  }

  async #run(key: string, exec: ExecConfig): Promise<ExecCredentialStatus> {
    const obtainedAt = this.#clock.now();
    const output = await runPlugin(exec, this.#closing.signal);
    const { status, expiresAt } = parseExecCredential(output, exec);
    this.#cache.set(key, { status, obtainedAt, expiresAt });
    return status;
  }
}

function pluginName(exec: ExecConfig): string {
  return `the exec credential plugin ${JSON.stringify(exec.command)}`;
}

/** The plugin's stdout; rejects with a CredentialsError that says how the plugin failed, quoting none of its output. */
function runPlugin(exec: ExecConfig, signal: AbortSignal): Promise<Buffer> {
  const name = pluginName(exec);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const { name: key, value } of exec.env ?? []) env[key] = value;
  env['KUBERNETES_EXEC_INFO'] = JSON.stringify({ apiVersion: exec.apiVersion, kind: 'ExecCredential', spec: { interactive: false } });
  return new Promise<Buffer>((resolve, reject) => {
    const stdout = new GrowingBuffer(MAX_PLUGIN_OUTPUT_BYTES);
    let failure: Error | undefined;
    const child = spawn(exec.command, exec.args ?? [], { env, stdio: ['ignore', 'pipe', 'inherit'], signal });
    child.stdout.on('data', (chunk: Buffer) => {
      if (failure !== undefined || stdout.append(chunk) === 'ok') return;
      failure = new CredentialsError(`${name} wrote more than ${MAX_PLUGIN_OUTPUT_BYTES} bytes to stdout`);
      child.kill('SIGKILL');
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.name === 'AbortError') failure ??= new ClientClosedError(`${name} was stopped: the client was closed`);
      else if (err.code === 'ENOENT') failure ??= new CredentialsError(`${name} was not found${exec.installHint === undefined ? '' : ` (${exec.installHint.trim().slice(0, 500)})`}`);
      else failure ??= new CredentialsError(`${name} could not be started (${err.code ?? err.name})`);
    });
    child.on('close', (code: number | null, killedBy: NodeJS.Signals | null) => {
      if (failure !== undefined) return reject(failure);
      if (code === 0) return resolve(stdout.bytes());
      const how = code === null ? `was killed by ${String(killedBy)}` : `failed with exit code ${code}`;
      reject(new CredentialsError(`${name} ${how} (what it printed on stderr went to this process's stderr)`));
    });
  });
}

function parseExecCredential(output: Buffer, exec: ExecConfig): { status: ExecCredentialStatus; expiresAt: number } {
  const name = pluginName(exec);
  let value: unknown;
  try {
    value = JSON.parse(output.toString('utf8'));
  } catch {
    // V8's message would quote the output, which may hold the token.
    throw new CredentialsError(`${name} wrote ${output.length} bytes to stdout that are not JSON`);
  }
  const credential = value as { kind?: unknown; apiVersion?: unknown; status?: unknown } | null;
  if (typeof credential !== 'object' || credential === null || credential.kind !== 'ExecCredential') {
    throw new CredentialsError(`${name} wrote JSON that is not an ExecCredential`);
  }
  if (exec.apiVersion !== undefined && credential.apiVersion !== exec.apiVersion) {
    throw new CredentialsError(`${name} answered with another apiVersion than the configured ${JSON.stringify(exec.apiVersion)}`);
  }
  const raw = credential.status as { token?: unknown; clientCertificateData?: unknown; clientKeyData?: unknown; expirationTimestamp?: unknown } | null | undefined;
  const status: ExecCredentialStatus = {};
  if (typeof raw?.token === 'string' && raw.token !== '') status.token = raw.token;
  if (typeof raw?.clientCertificateData === 'string' && typeof raw.clientKeyData === 'string' && raw.clientCertificateData !== '' && raw.clientKeyData !== '') {
    status.clientCertificateData = raw.clientCertificateData;
    status.clientKeyData = raw.clientKeyData;
  }
  if (status.token === undefined && status.clientCertificateData === undefined) {
    throw new CredentialsError(`${name} gave neither a token nor a client certificate and key`);
  }
  let expiresAt = Infinity;
  if (raw?.expirationTimestamp !== undefined && raw.expirationTimestamp !== null) {
    expiresAt = typeof raw.expirationTimestamp === 'string' ? Date.parse(raw.expirationTimestamp) : NaN;
    if (Number.isNaN(expiresAt)) throw new CredentialsError(`${name} gave an expirationTimestamp that is not an RFC 3339 time`);
  }
  return { status, expiresAt };
}
