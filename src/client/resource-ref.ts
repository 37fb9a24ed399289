import { describeValue } from '../util/object-names.ts';

/**
 * Which resource a ResourceClient reads: `group` ('' or absent for the core
 * group), `version` (`v1`, `v1beta1`), the plural `resource` as it appears
 * in paths (`deployments`), and whether its objects live in namespaces
 * (true when absent). A string names a namespaced core/v1 resource.
 */
export interface ResourceRef {
  group?: string;
  version: string;
  resource: string;
  namespaced?: boolean;
}

/** A checked ResourceRef, with what its requests and errors need. */
export interface ApiResource {
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
  /** `/api/v1` for the core group, `/apis/{group}/{version}` otherwise. */
  prefix: string;
  /** How kube names the resource in messages: `secrets`, `deployments.apps`. */
  qualified: string;
}

// What kube-apiserver accepts: a group is a DNS-1123 subdomain, a version a
// DNS-1035 label (CRD version names are validated as one), a plural a
// DNS-1123 label. None of them can hold "/", ".." or "%", so no ref can make
// a path reach another resource.
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const maxLabel = 63;
const maxSubdomain = 253;

function isDnsSubdomain(value: string): boolean {
  return value.length <= maxSubdomain && value.split('.').every((label) => label.length <= maxLabel && dnsLabel.test(label));
}

function refused(field: string, value: unknown, rule: string): TypeError {
  return new TypeError(`client.resource: ${field} must be ${rule}, got ${describeValue(value)}`);
}

/**
 * Checks `ref` and says where its objects are served. Throws a TypeError
 * naming the field for a group that is not a DNS subdomain, a version that
 * is not a DNS-1035 label, a resource that is not a lowercase DNS label, or
 * a `namespaced` that is not a boolean.
 */
export function resolveResourceRef(ref: string | ResourceRef): ApiResource {
  const fields: ResourceRef = typeof ref === 'string' ? { group: '', version: 'v1', resource: ref, namespaced: true } : ref;
  if (typeof fields !== 'object' || fields === null) throw refused('the resource', fields, 'a plural name or a ResourceRef');
  const { group = '', version, resource, namespaced = true } = fields;
  if (typeof group !== 'string' || (group !== '' && !isDnsSubdomain(group))) {
    throw refused('group', group, 'a DNS subdomain such as "apps" or "networking.k8s.io" ("" for the core group)');
  }
  if (typeof version !== 'string' || version.length > maxLabel || !dns1035Label.test(version)) {
    throw refused('version', version, 'an API version such as "v1" or "v1beta1"');
  }
  if (typeof resource !== 'string' || resource.length > maxLabel || !dnsLabel.test(resource)) {
    throw refused('resource', resource, 'a lowercase plural resource name such as "secrets"');
  }
  if (typeof namespaced !== 'boolean') throw refused('namespaced', namespaced, 'a boolean');
  return {
    group,
    version,
    resource,
    namespaced,
    prefix: group === '' ? `/api/${version}` : `/apis/${group}/${version}`,
    qualified: group === '' ? resource : `${resource}.${group}`,
  };
}

function segment(what: string, value: string): string {
  if (typeof value !== 'string' || value === '' || value === '.' || value === '..' || value.includes('/')) {
    throw new TypeError(`${what} must be a non-empty name without "/", got ${describeValue(value)}`);
  }
  return encodeURIComponent(value);
}

/**
 * The path of a collection, or of object `name` in it, each part checked
 * and escaped. Namespaced: `{prefix}/namespaces/{namespace}/{resource}[/{name}]`,
 * and namespace "" lists or watches across all namespaces
 * (`{prefix}/{resource}`; a get needs a namespace). Cluster-scoped:
 * `{prefix}/{resource}[/{name}]`, and the namespace must be "" (a TypeError
 * naming the resource otherwise).
 */
export function resourcePath(api: ApiResource, namespace: string, name?: string): string {
  if (typeof namespace !== 'string') throw new TypeError(`namespace must be a string, got ${describeValue(namespace)}`);
  let base: string;
  if (!api.namespaced) {
    if (namespace !== '') throw new TypeError(`${api.qualified} is cluster-scoped: namespace must be "", got ${describeValue(namespace)}`);
    base = `${api.prefix}/${api.resource}`;
  } else if (namespace === '' && name === undefined) base = `${api.prefix}/${api.resource}`;
  else base = `${api.prefix}/namespaces/${segment('namespace', namespace)}/${api.resource}`;
  return name === undefined ? base : `${base}/${segment('name', name)}`;
}
