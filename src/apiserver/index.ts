/**
 * Entry point `kube-object-manager/apiserver`: an in-memory Kubernetes API
 * server (core/v1 namespaces, nodes, pods, secrets, configmaps,
 * serviceaccounts, services, events; events.k8s.io/v1 events; the
 * self-reviews of authorization.k8s.io/v1 and authentication.k8s.io/v1) that
 * kubectl and @kubernetes/client-node accept, with inspection and fault
 * injection for tests.
 */
import '../util/node-version.ts'; // first: refuses an unsupported Node.js before any dependency loads
export { startApiServer } from './server.ts';
export type { ApiServer, ApiServerFaults, ApiServerMetrics, ApiServerOptions } from './server.ts';
export type { FailureFilter, FailureOptions } from './faults.ts';
export type { ExtraResource } from './extra-resources.ts';
