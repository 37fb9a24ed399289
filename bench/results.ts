// The shapes run.ts writes to bench/results/*.json.
import type { AlternativeName } from './alternatives/types.ts';
import type { Memory } from './measure.ts';

/** Knobs of one run, passed to every scenario process. */
export interface ScenarioSettings {
  /** Bound on the wait for every object to be readable (also the watching manager's syncTimeoutMs). */
  readyTimeoutMs: number;
  /** Time spent timing cached gets, and again measuring their throughput. */
  getBudgetMs: number;
  /** Length of the update window (1% of the objects per second). */
  updateSeconds: number;
  /** An update not seen by the cache after this long counts as missed. */
  propagationTimeoutMs: number;
  /** Time spent in register/unregister rounds. */
  registerBudgetMs: number;
  /** TTL of the caching manager. */
  ttlMs: number;
}

export interface ScenarioResult {
  alternative: AlternativeName;
  n: number;
  /** The API server: the embedded one (`kom apiserver`) or a real kube-apiserver with etcd. */
  server?: 'embedded' | 'kube';
  /** Secrets in the namespace per referenced secret (1: every secret is referenced). */
  crowd?: number;
  /** Why get() was not timed, when it was not. */
  untimedGets?: string;
  /** The last commit that changed src/ when this scenario's process started (src/ may change during a run). */
  source?: string;
  /** The phase reached (done when complete). */
  phase: string;
  failures: string[];
  ready: { pods: number; ms: number | null; readable: number; timedOut: boolean; failures: Record<string, number> } | null;
  /** Time from the first registration until every object's watch was answered and open (watching strategies). */
  watching: { ms: number | null; open: number } | null;
  memory: { baseline: Memory; atReady: Memory; heapPerObject: number; rssPerObject: number; externalPerObject: number } | null;
  connections: {
    /** ESTABLISHED TCP connections to the server, from /proc, once every object was readable. */
    atReady: number | null;
    afterUpdates: number | null;
    /** The client's own counts (ours only). */
    client: { http2Connections: number; http1Sockets: number; streams: number } | null;
    fds: number | null;
  };
  requests: {
    toReady: Record<string, number> | null;
    duringUpdates: Record<string, number> | null;
    perSecondDuringUpdates: number | null;
    total: Record<string, number> | null;
  };
  get: { timedCalls: number; p50Us: number | null; p99Us: number | null; maxUs: number | null; opsPerSec: number } | null;
  propagation: {
    rate: number; updates: number; windowS: number; seen: number; missed: number; writerErrors: number; giveUpMs: number;
    p50Ms: number | null; p99Ms: number | null; maxMs: number | null;
  } | null;
  register: {
    podsPerRound: number; refsPerPod: number; rounds: number; podOpsPerSec: number; requests: Record<string, number>;
    settleMs: number;
    /** Requests still in flight or open (watches) once every pod was unregistered, after up to 5 s. */
    left: number | null;
    /** TCP connections to the server then (idle HTTP/2 connections stay until their idle timeout). */
    connectionsLeft: number;
  } | null;
  /** Errors the strategy reported itself, by message. */
  errors: Record<string, number>;
  durationMs: number;
  /** Set by run.ts when the process failed or was stopped. */
  exit?: string;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  openFilesLimit: string;
  /** 1-minute load average when the run started and ended (other processes share the machine). */
  loadAverage?: { start: number; end: number };
}

export interface RunResults {
  date: string;
  /** The last commit that changed src/ when the run started, and whether src/ had uncommitted changes. */
  source?: { commit: string; dirty: boolean };
  command: string;
  machine: Machine;
  settings: ScenarioSettings;
  sizes: number[];
  /** Time to create the N secrets through raw HTTP/2, per N. */
  seedMs: Record<string, number>;
  scenarios: ScenarioResult[];
  totalMs: number;
}
