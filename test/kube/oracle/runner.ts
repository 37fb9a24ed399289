// Runs one oracle script under one strategy: the admin API writes objects,
// both sides get the same registrations, clock moves and reads, and at every
// get and entries step (a quiet point: the API server's cache and, for
// watches, both sides have seen the last write) their answers are compared.
import { isDeepStrictEqual } from 'node:util';
import type { CoreV1Api, KubeConfig, KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../../../src/client/index.ts';
import { objectTTLAnnotationKey } from '../../../src/manager/node-ttl.ts';
import { isNotFound } from '../../../src/api/status-error.ts';
import { GoSide, OurSide, type Answer, type Entry, type Side } from './sides.ts';
import type { Deviation, EntriesOutcome, Kind, Outcome, PerStrategy, PodShape, Script, Step, Strategy } from './script.ts';

export interface Cluster {
  core: CoreV1Api;
  /** Our client as the admin, for reads from the API server's cache (resourceVersion=0). */
  admin: KubeClient;
  kubeConfig: KubeConfig;
  kubeconfigFile: string;
  binary: string;
}

/** A difference nobody documented, or a documented one that did not show. */
export interface Difference {
  step: number;
  what: string;
  go: unknown;
  ours: unknown;
}

export interface RunResult {
  script: string;
  strategy: Strategy;
  steps: number;
  comparisons: number;
  /** Steps where the documented difference showed, as expected. */
  pinned: Array<{ step: number; why: string }>;
  differences: Difference[];
  /** Errors our watches recovered from during the run (a transient failure shows here, not as a difference). */
  watchErrors: string[];
  ms: number;
}

/** How long a quiet point may take to arrive (real time: propagation over sockets). */
const settleTimeoutMs = 10_000;
const pollMs = 10;

interface Write {
  resourceVersion: string;
  uid: string;
}

const resourceOf = (kind: Kind): string => (kind === 'Secret' ? 'secrets' : 'configmaps');
const keyOf = (kind: Kind, name: string): string => `${kind}/${name}`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function forStrategy<T extends object>(value: PerStrategy<T> | undefined, strategy: Strategy, isPlain: (v: object) => boolean): T | undefined {
  if (value === undefined) return undefined;
  if (isPlain(value)) return value as T;
  return (value as Partial<Record<Strategy, T>>)[strategy];
}
const isOutcome = (v: object): boolean => 'write' in v || 'error' in v;
const isDeviation = (v: object): boolean => 'why' in v;
const isEntriesOutcome = (v: object): boolean => !['get', 'cache', 'watch'].some((s) => s in v);

/** A DNS label for a run's namespace or node. */
export function slug(...parts: string[]): string {
  return parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 60)
    .replace(/^-|-$/g, '');
}

export async function runScript(cluster: Cluster, script: Script, strategy: Strategy): Promise<RunResult> {
  const started = performance.now();
  const namespace = slug('o', script.name, strategy);
  const nodeName = script.nodeTTL === true && strategy === 'cache' ? slug('node', script.name) : undefined;
  await cluster.core.createNamespace({ body: { metadata: { name: namespace } } });
  if (nodeName !== undefined) await cluster.core.createNode({ body: { metadata: { name: nodeName } } });
  const options = { strategy, ...(nodeName !== undefined && { nodeName }), ...(script.refreshOnReRegister !== undefined && { refreshOnReRegister: script.refreshOnReRegister }) };
  const go = await GoSide.start(cluster.binary, cluster.kubeconfigFile, options);
  let ours: OurSide | undefined;
  let run: Run;
  try {
    ours = new OurSide(cluster.kubeConfig, cluster.core, options);
    run = new Run(cluster, script, strategy, namespace, nodeName, go, ours);
    await run.steps();
  } finally {
    await go.close();
    await ours?.close();
    if (nodeName !== undefined) await cluster.core.deleteNode({ name: nodeName });
  }
  return {
    script: script.name,
    strategy,
    steps: run.stepCount,
    comparisons: run.comparisons,
    pinned: run.pinned,
    differences: run.differences,
    watchErrors: ours.watchErrors,
    ms: Math.round(performance.now() - started),
  };
}

class Run {
  readonly cluster: Cluster;
  readonly script: Script;
  readonly strategy: Strategy;
  readonly namespace: string;
  readonly nodeName: string | undefined;
  readonly go: Side;
  readonly ours: Side;
  /** Labelled admin writes. */
  readonly writes = new Map<string, Write>();
  /** The last write of each object; undefined once deleted (or never created). */
  readonly latest = new Map<string, Write | undefined>();
  readonly differences: Difference[] = [];
  readonly pinned: Array<{ step: number; why: string }> = [];
  stepCount = 0;
  comparisons = 0;
  /** The watch stores were stopped (stop step). */
  stopped = false;
  #step = 0;

  constructor(cluster: Cluster, script: Script, strategy: Strategy, namespace: string, nodeName: string | undefined, go: Side, ours: Side) {
    this.cluster = cluster;
    this.script = script;
    this.strategy = strategy;
    this.namespace = namespace;
    this.nodeName = nodeName;
    this.go = go;
    this.ours = ours;
  }

  async steps(): Promise<void> {
    for (const [i, step] of this.script.steps.entries()) {
      if (step.only !== undefined && !step.only.includes(this.strategy)) continue;
      this.#step = i + 1;
      this.stepCount++;
      try {
        await this.#run(step);
      } catch (err) {
        throw new Error(`${this.script.name} (${this.strategy}) step ${i + 1} (${step.op}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    }
  }

  #differ(what: string, go: unknown, ours: unknown): void {
    this.differences.push({ step: this.#step, what, go, ours });
  }

  async #run(step: Step): Promise<void> {
    switch (step.op) {
      case 'create':
      case 'update':
      case 'delete':
        return this.#write(step);
      case 'register':
      case 'unregister': {
        const pod = podOf(step.pod, this.namespace);
        const [go, ours] = await Promise.all([this.go[step.op](pod), this.ours[step.op](pod)]);
        const result = (answer: Answer | undefined): string => (answer === undefined ? 'ok' : 'error' in answer ? answer.error : 'ok');
        const differs = forStrategy<Deviation<string>>(step.differs, this.strategy, isDeviation);
        const what = `${step.op} ${step.pod.name}`;
        if (differs === undefined) {
          if (result(go) !== result(ours)) this.#differ(what, go ?? 'ok', ours ?? 'ok');
        } else if (result(go) === differs.go && result(ours) === differs.ours) {
          this.pinned.push({ step: this.#step, why: differs.why });
        } else {
          this.#differ(`${what}: expected the documented difference (${differs.why})`, go ?? 'ok', ours ?? 'ok');
        }
        return;
      }
      case 'stop':
        await this.go.stop();
        await this.ours.stop();
        this.stopped = true;
        return;
      case 'advance':
        if (this.strategy === 'watch' && step.ms % 60_000 !== 0) {
          throw new Error('watch scripts advance in whole minutes: the idle checks (the Go side runs its own after each fake minute, ours is a FakeClock timer every minute) must run at the same instants');
        }
        // Once stopped, no watch lists again (the Go side shows a never-started one as pending).
        if (this.strategy === 'watch' && !this.stopped) await this.#listed();
        await this.go.advance(step.ms);
        await this.ours.advance(step.ms);
        return;
      case 'nodeTTL':
        return this.#setNodeTTL(step.value);
      case 'get':
        return this.#get(step);
      case 'entries':
        return this.#entries(step);
    }
  }

  async #write(step: Extract<Step, { op: 'create' | 'update' | 'delete' }>): Promise<void> {
    const { core } = this.cluster;
    const { namespace } = this;
    const key = keyOf(step.kind, step.name);
    let written: KubernetesObject | undefined;
    if (step.op === 'delete') {
      if (step.kind === 'Secret') await core.deleteNamespacedSecret({ namespace, name: step.name });
      else await core.deleteNamespacedConfigMap({ namespace, name: step.name });
    } else if (step.op === 'create') {
      const metadata = { name: step.name };
      const immutable = step.immutable === true ? { immutable: true } : {};
      if (step.kind === 'Secret') {
        const data = Object.fromEntries(Object.entries(step.data ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
        written = await core.createNamespacedSecret({ namespace, body: { metadata, data, ...immutable } });
      } else {
        const binaryData = Object.fromEntries(Object.entries(step.binaryData ?? {}).map(([k, v]) => [k, v.toString('base64')]));
        written = await core.createNamespacedConfigMap({ namespace, body: { metadata, data: step.data ?? {}, binaryData, ...immutable } });
      }
    } else if (step.kind === 'Secret') {
      const current = await core.readNamespacedSecret({ namespace, name: step.name });
      const body = { ...current, metadata: { ...current.metadata, labels: { ...current.metadata?.labels, ...step.labels } } };
      if (step.data !== undefined) body.data = Object.fromEntries(Object.entries(step.data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
      if (step.immutable !== undefined) body.immutable = step.immutable;
      written = await core.replaceNamespacedSecret({ namespace, name: step.name, body });
    } else {
      const current = await core.readNamespacedConfigMap({ namespace, name: step.name });
      const body = { ...current, metadata: { ...current.metadata, labels: { ...current.metadata?.labels, ...step.labels } } };
      if (step.data !== undefined) body.data = step.data;
      if (step.immutable !== undefined) body.immutable = step.immutable;
      written = await core.replaceNamespacedConfigMap({ namespace, name: step.name, body });
    }
    const write = written === undefined ? undefined : { resourceVersion: written.metadata?.resourceVersion ?? '', uid: written.metadata?.uid ?? '' };
    if (step.op !== 'delete' && write !== undefined) this.writes.set(step.as, write);
    this.latest.set(key, write);
    await this.#cacheHas(step.kind, step.name, write);
  }

  /** Waits until the API server's watch cache (what resourceVersion=0 reads and lists see) has the write. */
  async #cacheHas(kind: Kind, name: string, write: Write | undefined): Promise<void> {
    const resource = this.cluster.admin.resource(resourceOf(kind));
    const deadline = performance.now() + settleTimeoutMs;
    for (;;) {
      let rv: string | undefined;
      try {
        rv = (await resource.getObject(this.namespace, name, { resourceVersion: '0' })).metadata?.resourceVersion;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (rv === write?.resourceVersion) return;
      if (performance.now() > deadline) throw new Error(`the API server's cache did not get ${kind} ${name} at ${write?.resourceVersion ?? 'deleted'} in ${settleTimeoutMs} ms`);
      await sleep(pollMs);
    }
  }

  /**
   * Waits until no watch of either side is still on its first list: the idle
   * check never stops a watch before its first sync, so an advance must not
   * race a list.
   */
  async #listed(): Promise<void> {
    const listed = async (side: Side): Promise<boolean> => {
      const all = [...(await side.entries('Secret')), ...(await side.entries('ConfigMap'))];
      return all.every((e) => e.state !== 'pending');
    };
    for (const side of [this.go, this.ours]) {
      if (!(await this.#until(() => listed(side), (done) => done))) throw new Error(`${side.name}: watches still listing after ${settleTimeoutMs} ms`);
    }
  }

  async #setNodeTTL(value: string | undefined): Promise<void> {
    if (this.nodeName === undefined) return; // only the cache strategy reads the node
    const { core } = this.cluster;
    const node = await core.readNode({ name: this.nodeName });
    const annotations = { ...node.metadata?.annotations };
    if (value === undefined) delete annotations[objectTTLAnnotationKey];
    else annotations[objectTTLAnnotationKey] = value;
    await core.replaceNode({ name: this.nodeName, body: { ...node, metadata: { ...node.metadata, annotations } } });
  }

  #matches(answer: Answer, outcome: Outcome): boolean {
    if ('error' in outcome) return 'error' in answer && answer.error === outcome.error;
    const write = this.writes.get(outcome.write);
    if (write === undefined) throw new Error(`no write labelled ${outcome.write}`);
    return !('error' in answer) && answer.resourceVersion === write.resourceVersion && answer.uid === write.uid;
  }

  /** What a watch that follows the last write answers now. */
  #current(kind: Kind, name: string): (answer: Answer) => boolean {
    const write = this.latest.get(keyOf(kind, name));
    return (answer) => {
      if ('error' in answer) return write === undefined ? answer.error === 'NotFound' : !['NotFound', 'SyncFailed', 'Hung'].includes(answer.error);
      return write !== undefined && answer.resourceVersion === write.resourceVersion;
    };
  }

  /** Asks a side until `done` holds (watches deliver asynchronously), for at most settleTimeoutMs; returns the last answer. */
  async #until<T>(ask: () => Promise<T>, done: (answer: T) => boolean): Promise<T> {
    const deadline = performance.now() + settleTimeoutMs;
    for (;;) {
      const answer = await ask();
      if (done(answer) || performance.now() > deadline) return answer;
      await sleep(pollMs);
    }
  }

  async #get(step: Extract<Step, { op: 'get' }>): Promise<void> {
    this.comparisons++;
    const want = forStrategy<Outcome>(step.want, this.strategy, isOutcome);
    const differs = forStrategy<Deviation<Outcome>>(step.differs, this.strategy, isDeviation);
    const ask = (side: Side) => () => side.get(step.kind, this.namespace, step.name);
    let go: Answer;
    let ours: Answer;
    if (this.strategy === 'watch' && step.held !== true) {
      const current = this.#current(step.kind, step.name);
      const target = (outcome: Outcome | undefined) => (outcome === undefined ? current : (a: Answer) => this.#matches(a, outcome));
      go = await this.#until(ask(this.go), target(differs?.go ?? want));
      ours = await this.#until(ask(this.ours), target(differs?.ours ?? want));
    } else {
      go = await ask(this.go)();
      ours = await ask(this.ours)();
    }
    const what = `get ${step.kind} ${step.name}`;
    if (differs !== undefined) {
      if (this.#matches(go, differs.go) && this.#matches(ours, differs.ours)) this.pinned.push({ step: this.#step, why: differs.why });
      else this.#differ(`${what}: expected the documented difference (${differs.why})`, go, ours);
      return;
    }
    if (!isDeepStrictEqual(withoutMessage(go), withoutMessage(ours))) this.#differ(what, go, ours);
    else if (want !== undefined && !this.#matches(go, want)) this.#differ(`${what}: both sides agree, but not with the script (${JSON.stringify(want)})`, go, ours);
  }

  async #entries(step: Extract<Step, { op: 'entries' }>): Promise<void> {
    this.comparisons++;
    const want = forStrategy<EntriesOutcome>(step.want, this.strategy, isEntriesOutcome);
    const differs = forStrategy<Deviation<EntriesOutcome>>(step.differs, this.strategy, isDeviation);
    const held = new Set(step.held ?? []);
    const settled = (list: Entry[]): boolean =>
      list.every((e) => {
        if (e.state === 'pending') return false;
        if (held.has(e.name) || (e.state !== 'synced' && e.state !== 'missing')) return true;
        const write = this.latest.get(keyOf(step.kind, e.name));
        return write === undefined ? e.state === 'missing' : e.state === 'synced' && e.resourceVersion === write.resourceVersion;
      });
    // Only watches change by themselves: the other strategies are read once.
    const fits = (outcome: EntriesOutcome | undefined) => (list: Entry[]) =>
      this.strategy !== 'watch' || (settled(list) && (outcome === undefined || this.#entriesMatch(list, outcome)));
    const go = await this.#until(() => this.go.entries(step.kind), fits(differs?.go ?? want));
    const ours = await this.#until(() => this.ours.entries(step.kind), fits(differs?.ours ?? want));
    const what = `entries ${step.kind}`;
    if (differs !== undefined) {
      const named = new Set([...Object.keys(differs.go), ...Object.keys(differs.ours)]);
      const rest = (list: Entry[]) => list.filter((e) => !named.has(e.name));
      if (this.#entriesMatch(go, differs.go) && this.#entriesMatch(ours, differs.ours) && isDeepStrictEqual(rest(go), rest(ours))) {
        this.pinned.push({ step: this.#step, why: differs.why });
      } else {
        this.#differ(`${what}: expected the documented difference (${differs.why}) and the rest equal`, go, ours);
      }
      return;
    }
    if (!isDeepStrictEqual(go, ours)) this.#differ(what, go, ours);
    else if (want !== undefined && !this.#entriesMatch(go, want)) this.#differ(`${what}: both sides agree, but not with the script (${JSON.stringify(want)})`, go, ours);
  }

  #entriesMatch(list: Entry[], outcome: EntriesOutcome): boolean {
    return Object.entries(outcome).every(([name, expected]) => {
      const entry = list.find((e) => e.name === name);
      if (entry === undefined) return expected.state === 'absent';
      if (entry.state !== expected.state) return false;
      if (expected.write === undefined) return true;
      return entry.resourceVersion === this.writes.get(expected.write)?.resourceVersion;
    });
  }
}

/** Error messages differ in wording (Go's and ours); the reason is what is compared. */
function withoutMessage(answer: Answer): unknown {
  return 'error' in answer ? { error: answer.error } : answer;
}

/** A full v1 Pod in `namespace` referencing what the shape lists. */
export function podOf(shape: PodShape, namespace: string): V1Pod {
  const env = (shape.secretEnv ?? []).map((name, i) => ({ name: `S${i}`, valueFrom: { secretKeyRef: { name, key: 'k' } } }));
  const envFrom = (shape.configMapEnvFrom ?? []).map((name) => ({ configMapRef: { name } }));
  const volumes: NonNullable<V1Pod['spec']>['volumes'] = [
    ...(shape.secretVolumes ?? []).map((secretName, i) => ({ name: `s${i}`, secret: { secretName } })),
    ...(shape.configMapVolumes ?? []).map((name, i) => ({ name: `c${i}`, configMap: { name } })),
    ...(shape.rawVolumes ?? []),
  ];
  if (shape.projected !== undefined) {
    volumes.push({
      name: 'projected',
      projected: {
        sources: [...(shape.projected.secrets ?? []).map((name) => ({ secret: { name } })), ...(shape.projected.configMaps ?? []).map((name) => ({ configMap: { name } }))],
      },
    });
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: shape.name, namespace, uid: shape.uid },
    spec: {
      containers: [{ name: 'app', image: 'registry.example/app:1', env, envFrom }],
      volumes,
      imagePullSecrets: (shape.pullSecrets ?? []).map((name) => ({ name })),
    },
  };
}
