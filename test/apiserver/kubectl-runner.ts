import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer, ApiServerOptions } from '../../src/apiserver/index.ts';
import { findControlPlaneBinaries } from '../../src/testing/control-plane-binaries.ts';

// kubectl is a client we did not write. KUBECTL=/path/to/kubectl picks one;
// else the current kubectl that `npm run kube:build` builds beside
// kube-apiserver (v1.37.2); else the one on PATH (.ci/run installs Debian's
// kubernetes-client, 1.20 on bookworm, where it is missing).
export const KUBECTL = process.env['KUBECTL'] ?? builtKubectl() ?? 'kubectl';

function builtKubectl(): string | undefined {
  try {
    const path = join(findControlPlaneBinaries().dir, 'kubectl');
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

export interface KubectlRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** An embedded server, a kubeconfig for it in a temporary HOME, and a way to run kubectl against it. */
export interface KubectlSession {
  server: ApiServer;
  /** The temporary directory: HOME for kubectl, holds `kubeconfig` and the discovery cache. */
  dir: string;
  /** The arguments that point kubectl at the server (`--kubeconfig`, `--cache-dir`). */
  args: string[];
  kubectl: (...rest: string[]) => Promise<KubectlRun>;
  /** Runs kubectl with `input` on its stdin (for `-f -`). */
  kubectlWithInput: (input: string, ...rest: string[]) => Promise<KubectlRun>;
  close: () => Promise<void>;
}

function run(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<KubectlRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(KUBECTL, args, { env }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') {
        reject(new Error(`could not run kubectl (is it installed? .ci/run installs Debian's kubernetes-client): ${err.message}`));
        return;
      }
      resolve({ code: err === null ? 0 : Number(err.code), stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

export async function startKubectlSession(options: ApiServerOptions = {}): Promise<KubectlSession> {
  const server = await startApiServer(options);
  const dir = await mkdtemp(join(tmpdir(), 'kom-kubectl-'));
  await writeFile(join(dir, 'kubeconfig'), server.kubeconfigYaml());
  const args = ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache')];
  const env = { ...process.env, HOME: dir };
  return {
    server,
    dir,
    args,
    kubectl: (...rest) => run([...args, ...rest], env),
    kubectlWithInput: (input, ...rest) => run([...args, ...rest], env, input),
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
