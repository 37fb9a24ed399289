import type { KubernetesObject } from '@kubernetes/client-node';

/** A stored object: always a plain JSON object with kind, apiVersion and metadata. */
export type KObject = KubernetesObject & Record<string, unknown> & { metadata: NonNullable<KubernetesObject['metadata']> };

/** How one core/v1 resource is served. */
export interface ResourceInfo {
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

const boolField = (o: KObject, ...keys: string[]): string => (path(o, ...keys) === true ? 'true' : 'false');

const served: ResourceInfo[] = [
  {
    name: 'namespaces', singularName: 'namespace', kind: 'Namespace', listKind: 'NamespaceList', namespaced: false,
    shortNames: ['ns'], verbs: allVerbs.filter((v) => v !== 'deletecollection'),
    fields: { 'status.phase': (o) => str(path(o, 'status', 'phase')) },
    customFieldLabels: true, returnsDeletedObject: true, subresources: ['status', 'finalize'], tracksGeneration: false,
  },
  {
    name: 'nodes', singularName: 'node', kind: 'Node', listKind: 'NodeList', namespaced: false,
    shortNames: ['no'], verbs: allVerbs,
    fields: { 'spec.unschedulable': (o) => boolField(o, 'spec', 'unschedulable') },
    customFieldLabels: true, returnsDeletedObject: false, subresources: ['status'], tracksGeneration: false,
  },
  {
    name: 'pods', singularName: 'pod', kind: 'Pod', listKind: 'PodList', namespaced: true,
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
    name: 'secrets', singularName: 'secret', kind: 'Secret', listKind: 'SecretList', namespaced: true,
    shortNames: [], verbs: allVerbs,
    fields: { type: (o) => str(o['type']) },
    customFieldLabels: true, returnsDeletedObject: false, subresources: [], tracksGeneration: false,
  },
  {
    name: 'configmaps', singularName: 'configmap', kind: 'ConfigMap', listKind: 'ConfigMapList', namespaced: true,
    shortNames: ['cm'], verbs: allVerbs,
    fields: {}, customFieldLabels: false, returnsDeletedObject: false, subresources: [], tracksGeneration: false,
  },
  {
    name: 'serviceaccounts', singularName: 'serviceaccount', kind: 'ServiceAccount', listKind: 'ServiceAccountList',
    namespaced: true, shortNames: ['sa'], verbs: allVerbs,
    fields: {}, customFieldLabels: false, returnsDeletedObject: false, subresources: [], tracksGeneration: false,
  },
];

/** The resources served under /api/v1, keyed by plural name. */
export const resources: ReadonlyMap<string, ResourceInfo> = new Map(served.map((r) => [r.name, r]));

/** Storage key of an object: `namespace/name`, or `name` for cluster-scoped kinds. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}

/** Value of a field selector label on an object, or undefined when the resource has no such label. */
export function fieldValue(info: ResourceInfo, obj: KObject, label: string): string | undefined {
  if (label === 'metadata.name') return obj.metadata.name ?? '';
  if (label === 'metadata.namespace') return obj.metadata.namespace ?? '';
  const getter = info.fields[label === 'spec.host' && info.name === 'pods' ? 'spec.nodeName' : label];
  return getter === undefined ? undefined : getter(obj);
}
