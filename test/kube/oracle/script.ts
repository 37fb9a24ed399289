// The oracle's scenario scripts: steps that write objects through the admin
// API, register and unregister pods, move the fake clocks, and compare what
// the kubelet's Go managers and ours answer. A script names the strategies it
// runs under; each run gets its own namespace, managers and Go process.
import type { V1Pod } from '@kubernetes/client-node';

export type Strategy = 'get' | 'cache' | 'watch';
export type Kind = 'Secret' | 'ConfigMap';

/**
 * An expected get answer: the object as a labelled admin write left it
 * (resourceVersion and uid), or an error reason (NotFound, NotRegistered,
 * Unknown, ...).
 */
export type Outcome = { write: string } | { error: string };

/** Expected entries of some names (others are only compared across sides). */
export type EntriesOutcome = Record<string, { state: string; write?: string }>;

/** A documented difference at one step: what each side answers, and where it is documented. */
export interface Deviation<T> {
  /** `DESIGN.md #5`, or the report's row for a new deviation. */
  why: string;
  ours: T;
  go: T;
}

/** A value that may differ by strategy. */
export type PerStrategy<T> = T | Partial<Record<Strategy, T>>;

interface Common {
  /** Only under these strategies (default: every strategy of the script). */
  only?: Strategy[];
  note?: string;
}

export type Step = Common &
  (
    | { op: 'create'; kind: Kind; name: string; data?: Record<string, string>; binaryData?: Record<string, Buffer>; immutable?: boolean; as: string }
    | { op: 'update'; kind: Kind; name: string; data?: Record<string, string>; labels?: Record<string, string>; immutable?: boolean; as: string }
    | { op: 'delete'; kind: Kind; name: string }
    | {
        op: 'register' | 'unregister';
        pod: PodShape;
        /** The sides differ in this documented way: 'ok', or the error reason a side throws. */
        differs?: PerStrategy<Deviation<string>>;
      }
    /** Stops the watch stores (ours: the signal aborts; the kubelet's: its stop channel closes). */
    | { op: 'stop' }
    | { op: 'advance'; ms: number }
    | { op: 'nodeTTL'; value: string | undefined }
    | {
        op: 'get';
        kind: Kind;
        name: string;
        /** Both sides must give this. */
        want?: PerStrategy<Outcome>;
        /** The sides differ in this documented way. */
        differs?: PerStrategy<Deviation<Outcome>>;
        /** The answer is not expected to follow the last write (a stopped watch): compare without waiting for it. */
        held?: boolean;
      }
    | {
        op: 'entries';
        kind: Kind;
        want?: PerStrategy<EntriesOutcome>;
        differs?: PerStrategy<Deviation<EntriesOutcome>>;
        /** Names whose watch is not expected to follow the last write. */
        held?: string[];
      }
  );

/** What a test pod references; the runner builds a full v1 Pod in the run's namespace. */
export interface PodShape {
  name: string;
  uid: string;
  /** Secret volumes. */
  secretVolumes?: string[];
  /** env valueFrom.secretKeyRef. */
  secretEnv?: string[];
  /** spec.imagePullSecrets. */
  pullSecrets?: string[];
  /** ConfigMap volumes. */
  configMapVolumes?: string[];
  /** envFrom configMapRef. */
  configMapEnvFrom?: string[];
  /** One projected volume with these secrets and configmaps. */
  projected?: { secrets?: string[]; configMaps?: string[] };
  /** Extra raw volumes, as given (for pods the API server would refuse). */
  rawVolumes?: NonNullable<V1Pod['spec']>['volumes'];
}

export interface Script {
  name: string;
  /** What it covers, for the report. */
  covers: string;
  strategies: Strategy[];
  /** cache strategy: the node whose `node.alpha.kubernetes.io/ttl` gives the TTL (both sides read it). */
  nodeTTL?: boolean;
  /** Ours only: refreshOnReRegister of the caching managers (the oracle runs false, as v1.37; a script pins the default). */
  refreshOnReRegister?: boolean;
  steps: Step[];
}

// Builders, so that scripts read as lists of what happens.

export const createSecret = (name: string, data: Record<string, string>, as: string, extra: { immutable?: boolean } = {}): Step => ({ op: 'create', kind: 'Secret', name, data, as, ...extra });
export const createConfigMap = (name: string, data: Record<string, string>, as: string, extra: { immutable?: boolean; binaryData?: Record<string, Buffer> } = {}): Step => ({
  op: 'create',
  kind: 'ConfigMap',
  name,
  data,
  as,
  ...extra,
});
export const update = (kind: Kind, name: string, change: { data?: Record<string, string>; labels?: Record<string, string>; immutable?: boolean }, as: string): Step => ({
  op: 'update',
  kind,
  name,
  ...change,
  as,
});
export const remove = (kind: Kind, name: string): Step => ({ op: 'delete', kind, name });
type RegisterOptions = { differs?: PerStrategy<Deviation<string>> };
export const register = (pod: PodShape, options: RegisterOptions = {}): Step => ({ op: 'register', pod, ...options });
export const unregister = (pod: PodShape, options: RegisterOptions = {}): Step => ({ op: 'unregister', pod, ...options });
export const stop = (): Step => ({ op: 'stop' });
export const advance = (ms: number): Step => ({ op: 'advance', ms });
export const minutes = (n: number): Step => advance(n * 60_000);
export const nodeTTL = (value: string | undefined): Step => ({ op: 'nodeTTL', value });

type GetOptions = Omit<Extract<Step, { op: 'get' }>, 'op' | 'kind' | 'name'>;
export const getSecret = (name: string, options: GetOptions = {}): Step => ({ op: 'get', kind: 'Secret', name, ...options });
export const getConfigMap = (name: string, options: GetOptions = {}): Step => ({ op: 'get', kind: 'ConfigMap', name, ...options });
type EntriesOptions = Omit<Extract<Step, { op: 'entries' }>, 'op' | 'kind'>;
export const entries = (kind: Kind, options: EntriesOptions = {}): Step => ({ op: 'entries', kind, ...options });

export const is = (write: string): Outcome => ({ write });
export const fails = (error: string): Outcome => ({ error });

/** Restricts steps to some strategies. */
export function only(strategies: Strategy[], ...steps: Step[]): Step[] {
  return steps.map((step) => ({ ...step, only: strategies }));
}
