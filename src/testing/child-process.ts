import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { Clock } from '../util/clock.ts';

/** The most stderr kept per child: enough for the lines that explain a failure. */
const stderrTailLines = 40;
const stderrLineChars = 2_000;

/**
 * A server process of the control plane, started in its own process group
 * so that stop() (or our exit and signal handlers) can end it with anything
 * it started. The child does not keep Node's event loop alive by itself: a
 * test that forgets stop() still lets its process exit, and the exit hook
 * then kills the child.
 */
export class ServerProcess {
  readonly name: string;
  readonly #child: ChildProcess;
  readonly #tail: string[] = [];
  readonly #exited: Promise<void>;
  #exitCode: number | null = null;
  #exitSignal: NodeJS.Signals | null = null;
  #running = true;

  constructor(name: string, command: string, args: string[]) {
    this.name = name;
    this.#child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#exited = new Promise((resolve) => {
      this.#child.on('exit', (code, signal) => {
        this.#running = false;
        this.#exitCode = code;
        this.#exitSignal = signal;
        running.delete(this);
        resolve();
      });
    });
    this.#child.on('error', (err) => {
      this.#keep(`${name}: ${err.message}`);
      this.#running = false;
      running.delete(this);
    });
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      if (stream === null) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.#keep(line));
      (stream as Socket).unref();
    }
    this.#child.unref();
    running.add(this);
    installExitHooks();
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#running;
  }

  /** How it ended, for errors: "exit code 1", "signal SIGKILL". */
  get exitDescription(): string {
    return this.#exitSignal !== null ? `signal ${this.#exitSignal}` : `exit code ${String(this.#exitCode)}`;
  }

  /** The last lines the process wrote (stdout and stderr interleaved). */
  tail(lines = 20): string {
    return this.#tail.slice(-lines).join('\n');
  }

  #keep(line: string): void {
    this.#tail.push(line.length > stderrLineChars ? `${line.slice(0, stderrLineChars)}...` : line);
    if (this.#tail.length > stderrTailLines) this.#tail.shift();
  }

  /** Sends `signal` to the process group. */
  signal(signal: NodeJS.Signals): void {
    const pid = this.#child.pid;
    if (pid === undefined || !this.#running) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  }

  /**
   * SIGTERM, then SIGKILL if the process has not exited after `graceMs`;
   * resolves once it has exited. Holds the event loop open meanwhile.
   */
  async stop(clock: Clock, graceMs: number): Promise<void> {
    if (!this.#running) return;
    this.#child.ref();
    this.signal('SIGTERM');
    const timer = clock.setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.#exited;
    clock.clearTimeout(timer);
    // A grandchild that outlived its parent in the group goes too.
    const pid = this.#child.pid;
    if (pid !== undefined) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // The group is empty.
      }
    }
  }

  /** Synchronous last resort for exit and signal handlers. */
  kill(): void {
    this.signal('SIGKILL');
  }
}

const running = new Set<ServerProcess>();
const tempDirs = new Set<string>();
let hooksInstalled = false;

/** Removes `dir` when the process exits or is interrupted, unless forgotten first. */
export function removeOnExit(dir: string): void {
  tempDirs.add(dir);
  installExitHooks();
}

export function forgetOnExit(dir: string): void {
  tempDirs.delete(dir);
}

/**
 * Whether `pid` still runs (Linux /proc). A zombie has stopped, unless other
 * threads of it are still being torn down (they still hold its sockets and
 * files). Without /proc: assumed gone.
 */
export function stillRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z' || readdirSync(`/proc/${pid}/task`).length > 1;
  } catch {
    return false;
  }
}

/**
 * Blocks until `pids` have stopped, at most `maxMs`: a process killed a
 * moment ago may still write into the folder about to be removed. Only for
 * the exit and signal handlers, where nothing asynchronous runs any more.
 */
function waitStoppedSync(pids: number[], maxMs: number): void {
  const tick = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited < maxMs && pids.some(stillRunning); waited += 10) Atomics.wait(tick, 0, 0, 10);
}

function killEverything(): void {
  const pids: number[] = [];
  for (const child of running) {
    child.kill();
    if (child.pid !== undefined) pids.push(child.pid);
  }
  running.clear();
  waitStoppedSync(pids, 5_000);
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Nothing more can be done on the way out.
    }
  }
  tempDirs.clear();
}

const forwardedSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function onSignal(signal: NodeJS.Signals): void {
  killEverything();
  // If nobody else handles the signal, end the process the way the signal
  // would have without our handler.
  if (process.listenerCount(signal) === 1) {
    for (const s of forwardedSignals) process.removeListener(s, onSignal);
    process.kill(process.pid, signal);
  }
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killEverything);
  for (const signal of forwardedSignals) process.on(signal, onSignal);
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago: bound with port 0 and
 * closed. Another process may take it before the server binds it; callers
 * retry with fresh ports when a server reports the address in use.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port from 127.0.0.1:0'))));
    });
  });
}

/** Whether the output of a server that failed to start says its port was taken. */
export function lostPortRace(tail: string): boolean {
  return /address already in use|bind: address/i.test(tail);
}
