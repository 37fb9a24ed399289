// The two sides of the oracle comparison, behind one interface: the kubelet's
// Go managers (kube/cmd/kubelet-managers in a child process) and ours, both
// answering in the Go program's terms (resourceVersion, uid, immutable,
// dataHash, or an error reason).
import type { CoreV1Api, KubeConfig, KubernetesObject, V1ConfigMap, V1Pod, V1Secret } from '@kubernetes/client-node';
import { createClient, type KubeClient } from '../../../src/client/index.ts';
import { CacheStoppedError, NotRegisteredError, SyncTimeoutError } from '../../../src/manager/errors.ts';
import { getObjectTTLFromNodeFunc } from '../../../src/manager/node-ttl.ts';
import type { StoreEntry } from '../../../src/manager/types.ts';
import {
  newCachingConfigMapManager,
  newCachingSecretManager,
  newSimpleConfigMapManager,
  newSimpleSecretManager,
  newWatchingConfigMapManager,
  newWatchingSecretManager,
  type ConfigMapManager,
  type SecretManager,
} from '../../../src/kubelet/managers.ts';
import { FakeClock } from '../../../src/util/fake-clock.ts';
import { findStatusError } from '../../../src/api/status-error.ts';
import { settle } from '../../helpers/settle.ts';
import { SplitClock } from './split-clock.ts';
import { dataHash, KubeletManagers, type Answer as GoAnswer } from '../kubelet-managers.ts';
import type { Kind, Strategy } from './script.ts';

/** A get answer: the object's identity and a hash of its data, or why there is none. */
export type Answer = { resourceVersion: string; uid: string; immutable: boolean; dataHash: string } | { error: string; message: string };

/** What a store holds for one object, in the Go program's terms. */
export interface Entry {
  name: string;
  state: string;
  resourceVersion?: string;
  /**
   * TTL store only: references held, one per referencing pod (ours counts
   * distinct referrers, so scripts give every pod its own UID there).
   */
  refs?: number;
  /** Watch store only: UIDs of the referencing pods (the Go TTL store keeps none). */
  referrers?: string[];
}

export interface Side {
  readonly name: 'go' | 'ours';
  register(pod: V1Pod): Promise<Answer | undefined>;
  unregister(pod: V1Pod): Promise<Answer | undefined>;
  get(kind: Kind, namespace: string, name: string): Promise<Answer>;
  entries(kind: Kind): Promise<Entry[]>;
  /** Moves the fake clock; for the watch strategy, in whole minutes, running the idle check after each. */
  advance(ms: number): Promise<void>;
  /** Stops the watch stores for good, as a shutting-down kubelet does. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** Where both fake clocks start: the Go program's 2030-01-01T00:00:00Z. */
export const fakeClockStart = Date.UTC(2030, 0, 1);

export interface SideOptions {
  strategy: Strategy;
  /** cache: the node whose TTL annotation applies. */
  nodeName?: string;
  /** Ours, cache: refreshOnReRegister (undefined: the default). */
  refreshOnReRegister?: boolean;
}

function isGoError(answer: GoAnswer): answer is GoAnswer & { error: { reason: string; message: string } } {
  return answer.error !== undefined;
}

function goAnswer(answer: GoAnswer): Answer {
  if (isGoError(answer)) return { error: answer.error.reason, message: answer.error.message };
  return {
    resourceVersion: String(answer['resourceVersion']),
    uid: String(answer['uid']),
    immutable: answer['immutable'] === true,
    dataHash: String(answer['dataHash']),
  };
}

export class GoSide implements Side {
  readonly name = 'go';
  readonly #m: KubeletManagers;
  readonly #strategy: Strategy;

  private constructor(m: KubeletManagers, strategy: Strategy) {
    this.#m = m;
    this.#strategy = strategy;
  }

  static async start(binary: string, kubeconfigFile: string, options: SideOptions): Promise<GoSide> {
    const args = [`--kubeconfig=${kubeconfigFile}`, `--strategy=${options.strategy}`, '--clock=fake', '--ttl=1m', '--resync=1m'];
    if (options.nodeName !== undefined) args.push(`--node-name=${options.nodeName}`);
    const m = await KubeletManagers.start(binary, args);
    if (typeof m.hello['protocol'] !== 'number' || m.hello['protocol'] < 2) {
      await m.quit();
      throw new Error(`${binary} speaks protocol ${String(m.hello['protocol'])}; the oracle needs 2 (the entries and idle ops): run \`npm run kube:build\``);
    }
    return new GoSide(m, options.strategy);
  }

  async #ok(body: Record<string, unknown>): Promise<GoAnswer> {
    const answer = await this.#m.request(body);
    if (isGoError(answer)) throw new Error(`kubelet-managers ${String(body['op'])}: ${answer.error.reason}: ${answer.error.message}`);
    return answer;
  }

  async register(pod: V1Pod): Promise<undefined> {
    await this.#ok({ op: 'register', pod });
    return undefined;
  }

  async unregister(pod: V1Pod): Promise<undefined> {
    await this.#ok({ op: 'unregister', pod });
    return undefined;
  }

  async get(kind: Kind, namespace: string, name: string): Promise<Answer> {
    return goAnswer(await this.#m.request({ op: 'get', kind, namespace, name }));
  }

  async entries(kind: Kind): Promise<Entry[]> {
    const answer = await this.#ok({ op: 'entries', kind });
    const list = answer['entries'] as Array<{ name: string; state: string; resourceVersion?: string; refs: number; referrers?: string[] }>;
    const watch = this.#strategy === 'watch';
    return list.map(({ name, state, resourceVersion, refs, referrers }) => ({
      name,
      state,
      ...(resourceVersion !== undefined && { resourceVersion }),
      // The watch store counts per referrer; the TTL store only in total.
      ...(watch ? { referrers: referrers ?? [] } : { refs }),
    }));
  }

  async advance(ms: number): Promise<void> {
    if (this.#strategy !== 'watch') {
      await this.#ok({ op: 'advance', ms });
      return;
    }
    // The kubelet checks for idle watches every minute (a real ticker in
    // NewObjectCache); here the idle op runs that same check after each fake
    // minute, the instants at which our FakeClock timer runs ours.
    for (let left = ms; left > 0; left -= 60_000) {
      await this.#ok({ op: 'advance', ms: 60_000 });
      await this.#ok({ op: 'idle' });
    }
  }

  async stop(): Promise<void> {
    await this.#ok({ op: 'stop' });
  }

  async close(): Promise<void> {
    await this.#m.quit();
  }
}

/** How long ours may take for one get before the runner calls it hung (a bound on the harness, not a behaviour). */
const hungAfterMs = 15_000;

export class OurSide implements Side {
  readonly name = 'ours';
  readonly clock = new FakeClock(fakeClockStart);
  /** Errors our watches recovered from (they retry after a backoff on the fake clock). */
  readonly watchErrors: string[] = [];
  readonly #client: KubeClient;
  readonly #stop = new AbortController();
  readonly #secrets: SecretManager;
  readonly #configMaps: ConfigMapManager;
  readonly #strategy: Strategy;

  constructor(kubeConfig: KubeConfig, core: CoreV1Api, options: SideOptions) {
    this.#strategy = options.strategy;
    // The client runs on real time, as client-go does; the managers on the fake clock.
    this.#client = createClient(kubeConfig);
    const clock = this.clock;
    switch (options.strategy) {
      case 'get':
        this.#secrets = newSimpleSecretManager(this.#client);
        this.#configMaps = newSimpleConfigMapManager(this.#client);
        break;
      case 'cache': {
        const nodeName = options.nodeName;
        const getTTL = nodeName === undefined ? () => undefined : getObjectTTLFromNodeFunc(() => core.readNode({ name: nodeName }));
        const refresh = options.refreshOnReRegister;
        const managerOptions = { clock, ...(refresh !== undefined && { refreshOnReRegister: refresh }) };
        this.#secrets = newCachingSecretManager(this.#client, getTTL, managerOptions);
        this.#configMaps = newCachingConfigMapManager(this.#client, getTTL, managerOptions);
        break;
      }
      case 'watch': {
        const onError = (error: Error, object: { namespace: string; name: string }): void => {
          this.watchErrors.push(`${object.namespace}/${object.name}: ${error.message}`);
        };
        // Idle time on the fake clock, backoff and the sync wait on real time, as in the Go program.
        const split = new SplitClock(clock);
        this.#secrets = newWatchingSecretManager(this.#client, 60_000, { clock: split, signal: this.#stop.signal, onError });
        this.#configMaps = newWatchingConfigMapManager(this.#client, 60_000, { clock: split, signal: this.#stop.signal, onError });
        break;
      }
    }
  }

  register(pod: V1Pod): Promise<Answer | undefined> {
    return Promise.resolve(
      thrown(() => {
        this.#secrets.registerPod(pod);
        this.#configMaps.registerPod(pod);
      }),
    );
  }

  unregister(pod: V1Pod): Promise<Answer | undefined> {
    return Promise.resolve(
      thrown(() => {
        this.#secrets.unregisterPod(pod);
        this.#configMaps.unregisterPod(pod);
      }),
    );
  }

  async get(kind: Kind, namespace: string, name: string): Promise<Answer> {
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<Answer>((resolve) => {
      timer = setTimeout(() => resolve({ error: 'Hung', message: `no answer in ${hungAfterMs} ms (real time); watch errors: ${this.watchErrors.join('; ') || 'none'}` }), hungAfterMs);
    });
    const asked = kind === 'Secret' ? this.#secrets.getSecret(namespace, name) : this.#configMaps.getConfigMap(namespace, name);
    try {
      return await Promise.race([asked.then((object) => ourAnswer(kind, object), ourError), hung]);
    } finally {
      clearTimeout(timer);
    }
  }

  entries(kind: Kind): Promise<Entry[]> {
    const list: StoreEntry[] = kind === 'Secret' ? this.#secrets.entries() : this.#configMaps.entries();
    const out = list
      .map((e) => {
        const entry: Entry = { name: e.name, state: e.state };
        if (e.resourceVersion !== undefined) entry.resourceVersion = e.resourceVersion;
        if (this.#strategy === 'watch') entry.referrers = [...e.referrers].sort();
        else entry.refs = e.referrers.length;
        return entry;
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return Promise.resolve(out);
  }

  async advance(ms: number): Promise<void> {
    this.clock.step(ms);
    await settle();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await settle();
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#client.close();
  }
}

function thrown(f: () => void): Answer | undefined {
  try {
    f();
    return undefined;
  } catch (err) {
    return ourError(err);
  }
}

function base64Entries(section: Record<string, string> | undefined): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(section ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

function ourAnswer(kind: Kind, object: KubernetesObject): Answer {
  const hash = kind === 'ConfigMap' ? configMapHash(object) : dataHash({ data: base64Entries((object as V1Secret).data) });
  return {
    resourceVersion: object.metadata?.resourceVersion ?? '',
    uid: object.metadata?.uid ?? '',
    immutable: (object as { immutable?: boolean }).immutable === true,
    dataHash: hash,
  };
}

function configMapHash(c: V1ConfigMap): string {
  const data = Object.fromEntries(Object.entries(c.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'utf8')]));
  return dataHash({ data, binaryData: base64Entries(c.binaryData) });
}

/** Our error as the Go program would name it. */
export function ourError(err: unknown): Answer {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof NotRegisteredError) return { error: 'NotRegistered', message };
  if (err instanceof SyncTimeoutError) return { error: 'SyncFailed', message };
  if (err instanceof CacheStoppedError) return { error: 'CacheStopped', message };
  const status = findStatusError(err);
  if (status !== undefined) return { error: status.reason !== '' ? status.reason : `Status${status.statusCode}`, message };
  return { error: 'Unknown', message: `${err instanceof Error ? err.name : typeof err}: ${message}` };
}
