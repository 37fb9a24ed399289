import type { KubernetesObject } from '@kubernetes/client-node';

/** A stored object: always a plain JSON object with kind, apiVersion and metadata. */
export type KObject = KubernetesObject & Record<string, unknown> & { metadata: NonNullable<KubernetesObject['metadata']> };

/**
 * How one resource is served: one entry per resource, whatever its group.
 * The core group (`group: ''`) is served under /api/v1, a named group under
 * /apis/{group}/{version}; the routing, discovery and storage read only this.
 */
export interface ResourceInfo {
  /** API group: '' for the core (legacy) group. */
  group: string;
  /** API version within the group: `v1`. */
  version: string;
  /** Plural name used in paths and errors: `secrets`. */
  name: string;
  singularName: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  verbs: string[];
  categories?: string[];
  /** Field selector labels beyond metadata.name/metadata.namespace, with their value getters. */
  fields: Record<string, (o: KObject) => string>;
  /** True when kube registers its own field label conversion (error text differs). */
  customFieldLabels: boolean;
  /** Item DELETE answers the object (pods, namespaces) rather than a Success Status. */
  returnsDeletedObject: boolean;
  /** Subresources served under the item path. */
  subresources: string[];
  /** `metadata.generation` is kept and bumped on spec changes. */
  tracksGeneration: boolean;
  /**
   * false for a create-only review (SelfSubjectAccessReview, ...): a POST is
   * answered from its body and nothing is stored, listed or watched.
   */
  stored: boolean;
  /** A PUT of a missing object creates it (201), as kube allows for services and events. */
  createOnUpdate?: boolean;
  /** Served like a CRD without a schema: a caller's extra resource (extra-resources.ts). */
  custom?: boolean;
}

/** `v1` for the core group, `group/version` otherwise: what `apiVersion` holds. */
export function groupVersion(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return info.group === '' ? info.version : `${info.group}/${info.version}`;
}

/** The resource as kube names it in errors and storage: `secrets`, `selfsubjectreviews.authentication.k8s.io`. */
export function qualifiedResource(info: Pick<ResourceInfo, 'group' | 'name'>): string {
  return info.group === '' ? info.name : `${info.name}.${info.group}`;
}

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  return '';
}

function path(o: Record<string, unknown>, ...keys: string[]): unknown {
  let cur: unknown = o;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

const core = { group: '', version: 'v1', stored: true } as const;

const boolField = (o: KObject, ...keys: string[]): string => (path(o, ...keys) === true ? 'true' : 'false');

const served: ResourceInfo[] = [
  {
    ...core, name: 'namespaces', singularName: 'namespace', kind: 'Namespace', listKind: 'NamespaceList', namespaced: false,
    shortNames: ['ns'], verbs: allVerbs.filter((v) => v !== 'deletecollection'),
    fields: { 'status.phase': (o) => str(path(o, 'status', 'phase')) },
    customFieldLabels: true, returnsDeletedObject: true, subresources: ['status', 'finalize'], tracksGeneration: false,
  },
  {
    ...core, name: 'nodes', singularName: 'node', kind: 'Node', listKind: 'NodeList', namespaced: false,
    shortNames: ['no'], verbs: allVerbs,
    fields: { 'spec.unschedulable': (o) => boolField(o, 'spec', 'unschedulable') },
    customFieldLabels: true, returnsDeletedObject: false, subresources: ['status'], tracksGeneration: false,
  },
  {
    ...core, name: 'pods', singularName: 'pod', kind: 'Pod', listKind: 'PodList', namespaced: true,
    shortNames: ['po'], verbs: allVerbs, categories: ['all'],
    fields: {
      'spec.nodeName': (o) => str(path(o, 'spec', 'nodeName')),
      'spec.restartPolicy': (o) => str(path(o, 'spec', 'restartPolicy')),
      'spec.schedulerName': (o) => str(path(o, 'spec', 'schedulerName')),
      'spec.serviceAccountName': (o) => str(path(o, 'spec', 'serviceAccountName')),
      'spec.hostNetwork': (o) => boolField(o, 'spec', 'hostNetwork'),
      'status.phase': (o) => str(path(o, 'status', 'phase')),
      'status.podIP': (o) => str(path(o, 'status', 'podIP')),
      'status.nominatedNodeName': (o) => str(path(o, 'status', 'nominatedNodeName')),
    },
    customFieldLabels: true, returnsDeletedObject: true, subresources: ['status'], tracksGeneration: true,
  },
  {
    ...core, name: 'secrets', singularName: 'secret', kind: 'Secret', listKind: 'SecretList', namespaced: true,
    shortNames: [], verbs: allVerbs,
    fields: { type: (o) => str(o['type']) },
    customFieldLabels: true, returnsDeletedObject: false, subresources: [], tracksGeneration: false,
  },
  {
    ...core, name: 'configmaps', singularName: 'configmap', kind: 'ConfigMap', listKind: 'ConfigMapList', namespaced: true,
    shortNames: ['cm'], verbs: allVerbs,
    fields: {}, customFieldLabels: false, returnsDeletedObject: false, subresources: [], tracksGeneration: false,
  },
  {
    ...core, name: 'serviceaccounts', singularName: 'serviceaccount', kind: 'ServiceAccount', listKind: 'ServiceAccountList',
    namespaced: true, shortNames: ['sa'], verbs: allVerbs,
    fields: {}, customFieldLabels: false, returnsDeletedObject: false, subresources: [], tracksGeneration: false,
  },
  {
    ...core, name: 'services', singularName: 'service', kind: 'Service', listKind: 'ServiceList', namespaced: true,
    shortNames: ['svc'], verbs: allVerbs, categories: ['all'],
    fields: {
      'spec.clusterIP': (o) => str(path(o, 'spec', 'clusterIP')),
      'spec.type': (o) => str(path(o, 'spec', 'type')),
    },
    customFieldLabels: true, returnsDeletedObject: true, subresources: ['status'], tracksGeneration: false, createOnUpdate: true,
  },
  {
    ...core, name: 'events', singularName: 'event', kind: 'Event', listKind: 'EventList', namespaced: true,
    shortNames: ['ev'], verbs: allVerbs,
    // kube's selectable fields of an Event (pkg/registry/core/event): `source` falls back to the reporting controller.
    fields: {
      'involvedObject.kind': (o) => str(path(o, 'involvedObject', 'kind')),
      'involvedObject.namespace': (o) => str(path(o, 'involvedObject', 'namespace')),
      'involvedObject.name': (o) => str(path(o, 'involvedObject', 'name')),
      'involvedObject.uid': (o) => str(path(o, 'involvedObject', 'uid')),
      'involvedObject.apiVersion': (o) => str(path(o, 'involvedObject', 'apiVersion')),
      'involvedObject.resourceVersion': (o) => str(path(o, 'involvedObject', 'resourceVersion')),
      'involvedObject.fieldPath': (o) => str(path(o, 'involvedObject', 'fieldPath')),
      reason: (o) => str(o['reason']),
      reportingComponent: (o) => str(o['reportingComponent']),
      source: (o) => str(path(o, 'source', 'component')) || str(o['reportingComponent']),
      type: (o) => str(o['type']),
    },
    customFieldLabels: true, returnsDeletedObject: false, subresources: [], tracksGeneration: false, createOnUpdate: true,
  },
];

/** A create-only review of a named group: answered, never stored. */
function review(group: string, name: string, kind: string, namespaced = false): ResourceInfo {
  return {
    group, version: 'v1', name, singularName: name.slice(0, -1), kind, listKind: `${kind}List`, namespaced,
    shortNames: [], verbs: ['create'], fields: {}, customFieldLabels: false, returnsDeletedObject: false,
    subresources: [], tracksGeneration: false, stored: false,
  };
}

/** The selectable fields of events.k8s.io/v1 Events, read from the stored core/v1 form. */
const eventsV1Fields: ResourceInfo['fields'] = {
  'regarding.kind': (o) => str(path(o, 'involvedObject', 'kind')),
  'regarding.namespace': (o) => str(path(o, 'involvedObject', 'namespace')),
  'regarding.name': (o) => str(path(o, 'involvedObject', 'name')),
  'regarding.uid': (o) => str(path(o, 'involvedObject', 'uid')),
  'regarding.apiVersion': (o) => str(path(o, 'involvedObject', 'apiVersion')),
  'regarding.resourceVersion': (o) => str(path(o, 'involvedObject', 'resourceVersion')),
  'regarding.fieldPath': (o) => str(path(o, 'involvedObject', 'fieldPath')),
  reason: (o) => str(o['reason']),
  reportingController: (o) => str(o['reportingComponent']),
  type: (o) => str(o['type']),
};

const grouped: ResourceInfo[] = [
  // A view of the core/v1 events (one store, converted: see views.ts).
  {
    group: 'events.k8s.io', version: 'v1', name: 'events', singularName: 'event', kind: 'Event', listKind: 'EventList', namespaced: true,
    shortNames: ['ev'], verbs: allVerbs, fields: eventsV1Fields, customFieldLabels: true, returnsDeletedObject: false,
    subresources: [], tracksGeneration: false, stored: true,
  },
  review('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview'),
  review('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
  review('authorization.k8s.io', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
];

/** The resources served under /api/v1, keyed by plural name. */
export const resources: ReadonlyMap<string, ResourceInfo> = new Map(served.map((r) => [r.name, r]));

/** Every served resource of every group, keyed `group/version/plural` (core: `/v1/secrets`). */
const byPath: ReadonlyMap<string, ResourceInfo> = new Map([...served, ...grouped].map((r) => [`${r.group}/${r.version}/${r.name}`, r]));

/** The resource served at `/apis/{group}/{version}/{plural}` (group '' for /api/v1), if any. */
export function lookupResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return byPath.get(`${group}/${version}/${plural}`);
}

/** Every served resource, core first, in discovery order. */
export function allResources(): ResourceInfo[] {
  return [...byPath.values()];
}

/** The named groups served and their versions, in the order kube lists them (core is not one). */
export function servedGroups(): { name: string; versions: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const r of grouped) {
    const versions = groups.get(r.group) ?? [];
    if (!versions.includes(r.version)) versions.push(r.version);
    groups.set(r.group, versions);
  }
  return [...groups].map(([name, versions]) => ({ name, versions }));
}

/** Storage key of an object: `namespace/name`, or `name` for cluster-scoped kinds. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}

/** Value of a field selector label on an object, or undefined when the resource has no such label. */
export function fieldValue(info: ResourceInfo, obj: KObject, label: string): string | undefined {
  if (label === 'metadata.name') return obj.metadata.name ?? '';
  if (label === 'metadata.namespace') return obj.metadata.namespace ?? '';
  const getter = info.fields[label === 'spec.host' && qualifiedResource(info) === 'pods' ? 'spec.nodeName' : label];
  return getter === undefined ? undefined : getter(obj);
}
