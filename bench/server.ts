// Runs `kom apiserver` in a process of its own, so that the clients' memory
// is measured without the server's.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readTarget, type Target } from './target.ts';

const komCli = new URL('../src/cli/kom.ts', import.meta.url).pathname;

export interface ServerProcess {
  target: Target;
  pid: number;
  /** SIGTERM, then waits for the exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/** Starts the embedded API server and waits for the line saying its kubeconfig is written. */
export async function startServerProcess(timeoutMs = 15_000): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'kom-bench-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  const child = spawn(process.execPath, [komCli, 'apiserver', '--port', '0', '--kubeconfig', kubeconfigPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`kom apiserver printed no kubeconfig line within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('exit', (code) => fail(new Error(`kom apiserver exited with ${String(code)}: ${stderr.trim()}`)));
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (out.includes('kubeconfig written to')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve();
      }
    });
  });
  return { target: readTarget(kubeconfigPath), pid: child.pid ?? -1, stop: () => stopChild(child, dir) };
}

/** Whether a process with this pid exists (signal 0). */
export function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Polls the pid rather than waiting for 'exit': on this machine the 'exit'
// event of the server process was sometimes never emitted although the
// process was gone (reaped), which left the bench with an empty event loop.
async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  const deadline = performance.now() + 5_000;
  if (alive(child.pid)) child.kill('SIGTERM');
  while (alive(child.pid) && child.exitCode === null && child.signalCode === null) {
    if (performance.now() > deadline) child.kill('SIGKILL');
    await sleep(50);
  }
  child.stdout?.destroy();
  child.stderr?.destroy();
  rmSync(dir, { recursive: true, force: true });
}
