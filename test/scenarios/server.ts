// The handle every scenario gets: one API server (the embedded one, or a
// real kube-apiserver) and what it can be made to do. Scenarios are written
// once against this interface; test/kubelet/scenarios.test.ts and
// test/kube/scenarios.test.ts provide it.
import type { KubeConfig } from '@kubernetes/client-node';

/** What a scenario may need beyond get, list, watch and writes. */
export type Capability =
  /** compact(): watches from every resourceVersion before now answer 410 Gone. */
  | 'compaction'
  /** restart(): the API server restarts on the same address over the same data. */
  | 'restart'
  /** Role-based access control, and `restrictedUser`. */
  | 'rbac';

export interface ScenarioServer {
  /** For messages: "embedded", "kube-apiserver". */
  readonly name: string;
  /** A KubeConfig of the admin, or of `user` (rbac only). */
  kubeConfig(user?: string): KubeConfig;
  /** A user that starts with no permissions (rbac only). */
  readonly restrictedUser?: string;
  compact(): Promise<void>;
  /** Resolves once the server answers again. */
  restart(): Promise<void>;
}

/** Why a server cannot run a scenario that needs `capability`. */
export const notApplicable: Record<Capability, (server: string) => string> = {
  compaction: (server) => `not applicable: ${server} cannot be made to answer 410 Gone to a watch`,
  restart: (server) => `not applicable: ${server} cannot be restarted`,
  rbac: (server) => `not applicable: ${server} has no RBAC (every authenticated request is allowed)`,
};
