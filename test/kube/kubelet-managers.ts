// A driver for kube/cmd/kubelet-managers (protocol in kube/README.md): the
// kubelet's own Secret and ConfigMap managers in a child process.
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export type Answer = Record<string, unknown> & { id?: unknown; error?: { reason: string; message: string } };

/** The kubelet-managers binary of the newest finished project build, if any. */
export function kubeletManagersBinary(): string | undefined {
  const base = join(import.meta.dirname, '..', '..', '.cache', 'kube');
  if (!existsSync(base)) return undefined;
  const builds = readdirSync(base).filter((v) => existsSync(join(base, v, 'stamp.json'))).sort().reverse();
  return builds.map((v) => join(base, v, 'bin', 'kubelet-managers')).find((path) => existsSync(path));
}

/** The oracle's dataHash, rebuilt from an object as the API returns it (base64 for bytes). */
export function dataHash(sections: Record<string, Record<string, Buffer> | undefined>): string {
  const hash = createHash('sha256');
  for (const section of Object.keys(sections).sort()) {
    const entries = sections[section] ?? {};
    for (const key of Object.keys(entries).sort()) {
      const value = entries[key] ?? Buffer.alloc(0);
      hash.update(`${section}\0${key}\0${value.length}\0`).update(value);
    }
  }
  return hash.digest('hex');
}

export class KubeletManagers {
  readonly hello: Answer;
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #waiting = new Map<string, (answer: Answer) => void>();
  readonly #exited: Promise<number | null>;
  #stderr = '';
  #next = 1;

  private constructor(child: ChildProcessByStdio<Writable, Readable, Readable>, hello: Answer, lines: AsyncIterator<string>, onStderr?: (chunk: string) => void) {
    this.#child = child;
    this.hello = hello;
    this.#exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      this.#stderr = (this.#stderr + text).slice(-4_000);
      onStderr?.(text);
    });
    void (async () => {
      for (;;) {
        const next = await lines.next();
        if (next.done === true) break;
        const answer = JSON.parse(next.value) as Answer;
        const key = String(JSON.stringify(answer.id));
        const waiter = this.#waiting.get(key);
        this.#waiting.delete(key);
        waiter?.(answer);
      }
    })();
  }

  /** Starts the program; `onStderr` sees its log output (klog) as it comes. */
  static async start(binary: string, args: string[], onStderr?: (chunk: string) => void): Promise<KubeletManagers> {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done === true) throw new Error(`kubelet-managers exited before its hello line:\n${stderr}`);
    return new KubeletManagers(child, JSON.parse(first.value) as Answer, lines, onStderr);
  }

  /** The child's process id (for reading its sockets and memory from /proc). */
  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** Sends one request (an id is added) and resolves with its answer. */
  request(body: Record<string, unknown>): Promise<Answer> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      if (this.#child.exitCode !== null) {
        reject(new Error(`kubelet-managers has exited:\n${this.#stderr}`));
        return;
      }
      this.#waiting.set(String(id), resolve);
      this.#child.stdin.write(`${JSON.stringify({ id, ...body })}\n`);
    });
  }

  /** Sends a raw line (for malformed-input tests); resolves with the answer that carries `id` (or none). */
  raw(line: string, id?: unknown): Promise<Answer> {
    return new Promise((resolve) => {
      this.#waiting.set(String(JSON.stringify(id)), resolve);
      this.#child.stdin.write(`${line}\n`);
    });
  }

  async quit(): Promise<number | null> {
    if (this.#child.exitCode === null) await this.request({ op: 'quit' });
    return this.#exited;
  }
}
