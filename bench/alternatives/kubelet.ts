// The kubelet's own watching Secret manager (kube/cmd/kubelet-managers, built
// by `npm run kube:build` from Kubernetes' Go module), driven over its
// JSON-lines protocol. It runs with --clock fake so that the `entries` op can
// report which objects are synced. The fake clock never moves, but the
// manager's idle sweep runs on a real one-minute ticker and stops the watch
// of every object never read (its last access is the zero time); so each
// object is read once as soon as it is synced, as the kubelet reads an
// object when it mounts it, and the sweep then finds none idle. Its memory is
// the Go process's own (live heap after GC, and RSS), its connections are
// counted from its /proc entry.
import type { V1Secret } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { dataHash, KubeletManagers, kubeletManagersBinary } from '../../test/kube/kubelet-managers.ts';
import type { Answer } from '../../test/kube/kubelet-managers.ts';
import type { Memory } from '../measure.ts';
import { benchNamespace } from '../target.ts';
import type { Alternative } from './types.ts';

interface Entry {
  namespace: string;
  name: string;
  state: string;
  resourceVersion?: string;
}

/** How often the scenario's readiness wait asks the Go process which objects are synced. */
const pollMs = 10;

export async function kubeletManager(kubeconfigPath: string): Promise<Alternative> {
  const binary = kubeletManagersBinary();
  if (binary === undefined) throw new Error('kubelet-managers is not built: run `npm run kube:build` (needs Go)');
  // Unthrottled, to measure the manager rather than client-go's rate limiter: the kubelet itself runs with
  // 50 QPS and a burst of 100, which at 2 requests per object alone makes N objects wait N/25 s.
  // Requests are counted from client-go's own log: at -v 6 it logs every response with its verb and URL.
  const counts: Record<string, number> = {};
  let partial = '';
  const countRequests = (chunk: string): void => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const m = /"Response" verb="(\w+)" url="([^"]*)"/.exec(line);
      if (m === null) continue;
      const verb = m[1] === 'GET' ? (/[?&]watch=(true|1)\b/.test(m[2] ?? '') ? 'watch' : /\/secrets\?|\/secrets$/.test(m[2] ?? '') ? 'list' : 'get') : (m[1] ?? '').toLowerCase();
      counts[verb] = (counts[verb] ?? 0) + 1;
    }
  };
  const go = await KubeletManagers.start(binary, ['--kubeconfig', kubeconfigPath, '--strategy', 'watch', '--clock', 'fake', '--qps', '1000000', '--burst', '1000000', '-v', '6'], countRequests);
  const ask = async (body: Record<string, unknown>): Promise<Answer> => {
    const answer = await go.request(body);
    if (answer.error !== undefined) throw new Error(`kubelet-managers ${String(body['op'])}: ${answer.error.reason}: ${answer.error.message}`);
    return answer;
  };
  const errors: Record<string, number> = {};
  const note = (err: unknown): void => {
    const m = err instanceof Error ? err.message : String(err);
    errors[m] = (errors[m] ?? 0) + 1;
  };
  // One poll of `entries` serves every waiter; it runs only while someone waits.
  const synced = new Set<string>();
  const waiters = new Map<string, { resolve: () => void }[]>();
  let polling = false;
  const poll = async (): Promise<void> => {
    if (polling) return;
    polling = true;
    try {
      while (waiters.size > 0) {
        const answer = await ask({ op: 'entries', kind: 'Secret' });
        for (const e of (answer['entries'] as Entry[] | undefined) ?? []) {
          if (e.state !== 'synced') continue;
          const key = `${e.namespace}/${e.name}`;
          if (!synced.has(key)) unread.push(e);
          synced.add(key);
          for (const w of waiters.get(key) ?? []) w.resolve();
          waiters.delete(key);
        }
        void readOnce();
        if (waiters.size > 0) await sleep(pollMs);
      }
    } catch (err) {
      note(err);
    } finally {
      polling = false;
    }
  };
  // Objects synced but not read yet, read one at a time after their waiters are resolved (the read is not part of the time to readable).
  const unread: Entry[] = [];
  let reading = false;
  const readOnce = async (): Promise<void> => {
    if (reading) return;
    reading = true;
    try {
      for (let e = unread.shift(); e !== undefined; e = unread.shift()) await go.request({ op: 'get', kind: 'Secret', namespace: e.namespace, name: e.name });
    } catch (err) {
      note(err);
    } finally {
      reading = false;
    }
  };
  const get = async (namespace: string, name: string): Promise<(V1Secret & { dataHash?: string }) | undefined> => {
    const answer = await go.request({ op: 'get', kind: 'Secret', namespace, name });
    if (answer.error !== undefined) return undefined;
    return { metadata: { namespace, name, resourceVersion: String(answer['resourceVersion']) }, dataHash: String(answer['dataHash']) };
  };
  return {
    name: 'kubelet',
    pid: go.pid,
    untimedGets: 'a get crosses a pipe to the Go process',
    registerPod: (pod) => void ask({ op: 'register', pod }).catch(note),
    unregisterPod: (pod) => void ask({ op: 'unregister', pod }).catch(note),
    get,
    holds: async (name, marker) => {
      const s = await get(benchNamespace, name);
      return s?.dataHash === dataHash({ data: { v: Buffer.from(marker, 'base64') } });
    },
    waitReadable: (namespace, name) => {
      const key = `${namespace}/${name}`;
      if (synced.has(key)) return Promise.resolve();
      return new Promise<void>((resolve) => {
        waiters.set(key, [...(waiters.get(key) ?? []), { resolve }]);
        void poll();
      });
    },
    requests: () => ({ ...counts }),
    clientStats: () => null,
    watchesOpen: () => null,
    busy: () => null,
    errors: () => ({ ...errors }),
    memory: async (): Promise<Memory> => {
      const stats = await ask({ op: 'stats', gc: true });
      return { heapUsed: Number(stats['heapBytes']), rss: Number(stats['rssBytes']), external: 0 };
    },
    close: async () => {
      await go.quit();
    },
  };
}
