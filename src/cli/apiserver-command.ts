import { rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { startApiServer } from '../apiserver/index.ts';

const usage = `Usage: kom apiserver [--port N] [--host ADDR] [--kubeconfig PATH] [--no-tls]

Runs the embedded Kubernetes API server (core/v1, in memory) until SIGINT or
SIGTERM, and writes a kubeconfig for it (CA and bearer token included; mode 0600;
removed on exit).

  --port N           TCP port (default 0: any free port)
  --host ADDR        address to listen on (default 127.0.0.1)
  --kubeconfig PATH  where to write the kubeconfig (default ./kom-apiserver.kubeconfig)
  --no-tls           plain HTTP/1.1 instead of HTTPS with HTTP/2; requests without
                     credentials are then accepted, since kubectl sends none over http
  -h, --help         this text

Exit codes: 0 stopped by a signal, 1 the server failed, 2 bad arguments.`;

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
  let values: { port?: string; host?: string; kubeconfig?: string; 'no-tls'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        kubeconfig: { type: 'string' },
        'no-tls': { type: 'boolean' },
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
  const kubeconfigPath = resolve(values.kubeconfig ?? 'kom-apiserver.kubeconfig');
  let server;
  try {
    const tls = values['no-tls'] !== true;
    server = await startApiServer({ port, host: values.host ?? '127.0.0.1', tls, allowAnonymous: !tls });
  } catch (err) {
    stderr.write(`kom apiserver: cannot start: ${(err as Error).message}\n`);
    return 1;
  }
  try {
    await writeFile(kubeconfigPath, server.kubeconfigYaml(), { mode: 0o600 });
  } catch (err) {
    stderr.write(`kom apiserver: cannot write the kubeconfig to ${kubeconfigPath}: ${(err as Error).message}\n`);
    await server.close();
    return 1;
  }
  stdout.write(`kom apiserver: serving on ${server.url}\nkom apiserver: kubeconfig written to ${kubeconfigPath}\n  export KUBECONFIG=${kubeconfigPath}\n`);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      done();
    };
    if (io.signal !== undefined) {
      if (io.signal.aborted) stop();
      else io.signal.addEventListener('abort', stop, { once: true });
    } else {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
  });
  await server.close();
  await rm(kubeconfigPath, { force: true });
  stdout.write('kom apiserver: stopped\n');
  return 0;
}
