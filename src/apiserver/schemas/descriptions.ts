// Our own one-line descriptions of the top-level kinds, for `kubectl explain`
// (the generated definitions carry no upstream prose).

/** Description of each top-level kind, by OpenAPI definition name. */
export const kindDescriptions: Readonly<Record<string, string>> = {
  'io.k8s.api.core.v1.Namespace': 'A Namespace groups namespaced objects; deleting it deletes them.',
  'io.k8s.api.core.v1.Node': 'A Node is a machine that runs pods.',
  'io.k8s.api.core.v1.Pod': 'A Pod is a group of containers scheduled together on one node.',
  'io.k8s.api.core.v1.Secret': 'A Secret holds confidential data (base64 in data, plain text in stringData on writes) for pods to use.',
  'io.k8s.api.core.v1.ConfigMap': 'A ConfigMap holds configuration as string (data) and binary (binaryData) entries for pods to use.',
  'io.k8s.api.core.v1.ServiceAccount': 'A ServiceAccount is an identity for processes that run in pods.',
  'io.k8s.api.core.v1.Service': 'A Service names a set of pods and the ports to reach them on.',
  'io.k8s.api.core.v1.Event': 'An Event reports something that happened to an object (core/v1 form).',
  'io.k8s.api.events.v1.Event': 'An Event reports something that happened to an object (events.k8s.io/v1 form).',
  'io.k8s.api.authorization.v1.SelfSubjectAccessReview': 'Asks whether the requesting user may perform an action; the answer is in status.',
  'io.k8s.api.authorization.v1.SelfSubjectRulesReview': 'Asks which actions the requesting user may perform in a namespace; the answer is in status.',
  'io.k8s.api.authentication.v1.SelfSubjectReview': 'Asks who the requesting user is; the answer is in status.',
};
