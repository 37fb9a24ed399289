import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { startApiServer } from '../apiserver/index.ts';
import { checkDurationMs } from '../util/duration.ts';
import { PrivateFileError, writePrivateFile, type PrivateFile } from './private-file.ts';

const usage = `Usage: kom apiserver [--port N] [--host ADDR] [--kubeconfig PATH [--force]] [--no-tls]
                    [--idle-timeout DURATION] [--max-connections N]

Runs the embedded Kubernetes API server (in memory) until SIGINT,
SIGTERM or SIGHUP, and writes a kubeconfig for it (CA and bearer token
included) to a new file of mode 0600. On exit it removes that file, unless
the path names another file by then (replaced or re-created meanwhile).

  --port N           TCP port (default 0: any free port)
  --host ADDR        address to listen on (default 127.0.0.1)
  --kubeconfig PATH  where to write the kubeconfig (default ./kom-apiserver.kubeconfig).
                     An existing PATH is refused (exit 1). A symbolic link is
                     refused always, dangling or not, even with --force: the
                     file it points to is never written
  --force            replace an existing regular file at PATH: its content is
                     lost (a new file is written beside it and renamed over it),
                     and the path is removed on exit like a new one
  --no-tls           plain HTTP/1.1 instead of HTTPS with HTTP/2; requests without
                     credentials are then accepted, since kubectl sends none over http
  --idle-timeout DURATION
                     close a connection with nothing in flight after this long,
                     as 90s, 1m30s, 500ms or 2h (default 90s, kube-apiserver's)
  --max-connections N
                     connections open at once; more are closed as soon as they
                     are accepted (default 1000)
  -h, --help         this text

Exit codes: 0 stopped by a signal, 1 the server failed or the kubeconfig
could not be written, 2 bad arguments.`;

/** The signals that stop the server (and remove the kubeconfig): Ctrl-C, kill, a closed terminal. */
const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Streams and stop signal, for tests; defaults are the process's. */
export interface ApiServerCommandIo {
  stdout?: Writable;
  stderr?: Writable;
  /** Stops the server when aborted (instead of SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

/**
 * `kom apiserver ...`: starts the embedded API server, writes its
 * kubeconfig, prints where it listens, and serves until stopped; answers the
 * exit code.
 */
export async function runApiServerCommand(args: string[], io: ApiServerCommandIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let values: { port?: string; host?: string; kubeconfig?: string; force?: boolean; 'no-tls'?: boolean; 'idle-timeout'?: string; 'max-connections'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        kubeconfig: { type: 'string' },
        force: { type: 'boolean' },
        'no-tls': { type: 'boolean' },
        'idle-timeout': { type: 'string' },
        'max-connections': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    stderr.write(`kom apiserver: ${(err as Error).message}\n\n${usage}\n`);
    return 2;
  }
  if (values.help === true) {
    stdout.write(`${usage}\n`);
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    stderr.write(`kom apiserver: --port must be an integer from 0 to 65535, got "${values.port ?? ''}"\n`);
    return 2;
  }
  let idleTimeoutMs: number | undefined;
  try {
    const text = values['idle-timeout'];
    const ms = text === undefined ? undefined : parseDurationMs(text);
    if (Number.isNaN(ms)) throw new TypeError(`--idle-timeout must be a duration such as 90s, 1m30s or 500ms, got ${JSON.stringify(text)}`);
    idleTimeoutMs = ms === undefined ? undefined : checkDurationMs('--idle-timeout', ms, { min: 1 });
  } catch (err) {
    stderr.write(`kom apiserver: ${(err as Error).message}\n`);
    return 2;
  }
  const maxConnections = values['max-connections'] === undefined ? undefined : Number(values['max-connections']);
  if (maxConnections !== undefined && (!/^\d+$/.test(values['max-connections'] ?? '') || maxConnections < 1 || maxConnections > 1_000_000)) {
    stderr.write(`kom apiserver: --max-connections must be an integer from 1 to 1000000, got ${JSON.stringify(values['max-connections'])}\n`);
    return 2;
  }
  const kubeconfigPath = resolve(values.kubeconfig ?? 'kom-apiserver.kubeconfig');
  // Listening for the signals before the kubeconfig exists: a script that
  // signals as soon as it reads the line below must not kill the process
  // before it can remove the file.
  const stop = stopRequest(io.signal);
  try {
    const options = { port, host: values.host ?? '127.0.0.1', tls: values['no-tls'] !== true, force: values.force === true, idleTimeoutMs, maxConnections };
    return await serve(kubeconfigPath, options, stop.requested, stdout, stderr);
  } finally {
    stop.dispose();
  }
}

async function serve(
  kubeconfigPath: string,
  options: { port: number; host: string; tls: boolean; force: boolean; idleTimeoutMs: number | undefined; maxConnections: number | undefined },
  stopRequested: Promise<void>,
  stdout: Writable,
  stderr: Writable,
): Promise<number> {
  let server;
  try {
    server = await startApiServer({
      port: options.port,
      host: options.host,
      tls: options.tls,
      allowAnonymous: !options.tls,
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
      ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
    });
  } catch (err) {
    stderr.write(`kom apiserver: cannot start: ${(err as Error).message}\n`);
    return 1;
  }
  let kubeconfig: PrivateFile;
  try {
    kubeconfig = await writePrivateFile(kubeconfigPath, server.kubeconfigYaml(), { force: options.force });
  } catch (err) {
    const reason = err instanceof PrivateFileError ? err.reason : (err as Error).message;
    stderr.write(`kom apiserver: cannot write the kubeconfig ${kubeconfigPath}: ${reason}\n`);
    await server.close();
    return 1;
  }
  stdout.write(`kom apiserver: serving on ${server.url}\nkom apiserver: kubeconfig written to ${kubeconfigPath}\n  export KUBECONFIG=${kubeconfigPath}\n`);
  await stopRequested;
  await server.close();
  try {
    if ((await kubeconfig.remove()) === 'changed') stderr.write(`kom apiserver: left ${kubeconfigPath} in place: it is no longer the file written at start\n`);
  } catch (err) {
    stderr.write(`kom apiserver: cannot remove the kubeconfig ${kubeconfigPath}: ${(err as Error).message}\n`);
  }
  stdout.write('kom apiserver: stopped\n');
  return 0;
}

/** Resolves `requested` on the first stop signal (or when `signal` aborts); dispose() stops listening. */
function stopRequest(signal: AbortSignal | undefined): { requested: Promise<void>; dispose(): void } {
  let done = (): void => undefined;
  const requested = new Promise<void>((resolve) => (done = resolve));
  const stop = (): void => {
    dispose();
    done();
  };
  const dispose = (): void => {
    for (const name of stopSignals) process.off(name, stop);
    signal?.removeEventListener('abort', stop);
  };
  if (signal === undefined) for (const name of stopSignals) process.once(name, stop);
  else if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  return { requested, dispose };
}

const unitMs: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * A duration flag's value in milliseconds: Go's form (`90s`, `1m30s`,
 * `1.5h`, `500ms`), units ms, s, m and h; NaN when it is not one, which
 * checkDurationMs then refuses with the flag's name.
 */
export function parseDurationMs(text: string): number {
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return NaN;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * (unitMs[m[2] ?? ''] ?? NaN);
  return total;
}
