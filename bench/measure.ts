// Measurement helpers for a scenario process: percentiles, memory after a
// full GC, and the TCP connections this process holds to the server.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';

export interface Summary {
  count: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

/** Nearest-rank percentiles of `values` (sorted in place). */
export function summarize(values: number[]): Summary {
  values.sort((a, b) => a - b);
  const at = (p: number): number | null => {
    if (values.length === 0) return null;
    return values[Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1))] ?? null;
  };
  return { count: values.length, p50: at(50), p99: at(99), max: at(100) };
}

export interface Memory {
  heapUsed: number;
  rss: number;
  external: number;
}

/** process.memoryUsage() after full collections (the process runs with --expose-gc). */
export async function memoryAfterGc(): Promise<Memory> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('the scenario process must run with --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await nextTurn();
  }
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external };
}

function socketInodes(pid: number | 'self'): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1] !== undefined) inodes.add(match[1]);
    } catch {
      // closed between readdir and readlink
    }
  }
  return inodes;
}

/**
 * ESTABLISHED TCP connections from a process (this one by default) to `port`
 * on the loopback (from /proc: whatever library opened them), leaving out the
 * given local ports.
 */
export function tcpConnectionsTo(port: number, excludeLocalPorts: ReadonlySet<number> = new Set(), pid: number | 'self' = 'self'): number {
  const inodes = socketInodes(pid);
  let count = 0;
  for (const table of [`/proc/${pid}/net/tcp`, `/proc/${pid}/net/tcp6`]) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '01') continue;
      const localPort = parseInt(f[1]?.split(':')[1] ?? '', 16);
      const remotePort = parseInt(f[2]?.split(':')[1] ?? '', 16);
      if (remotePort === port && !excludeLocalPorts.has(localPort) && inodes.has(f[9] ?? '')) count++;
    }
  }
  return count;
}

/** Open file descriptors of a process (this one by default). */
export function openFds(pid: number | 'self' = 'self'): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
