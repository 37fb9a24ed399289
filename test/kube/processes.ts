import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { stillRunning as alive } from '../../src/testing/child-process.ts';

/** The pids whose parent is `parent` (Linux /proc). */
export function childPids(parent: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid ...; comm may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === parent) out.push(Number(entry));
  }
  return out;
}

/**
 * Waits until none of `pids` is alive: a process killed by a signal takes a
 * moment to end. Gives up after `timeoutMs` and returns those still alive.
 */
export async function waitGone(pids: number[], timeoutMs = 5_000): Promise<number[]> {
  const deadline = performance.now() + timeoutMs;
  while (pids.some(alive) && performance.now() < deadline) await sleep(20);
  return pids.filter(alive);
}
