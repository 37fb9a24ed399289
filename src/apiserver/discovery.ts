import type { ResourceCatalog } from './catalog.ts';
import { storageVersionHash } from './extra-resources.ts';

/** GET /api: the legacy core group's versions. */
export function apiVersions(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupEntry(group: { name: string; versions: readonly string[] }): Record<string, unknown> {
  const versions = group.versions.map((version) => ({ groupVersion: `${group.name}/${version}`, version }));
  return { name: group.name, versions, preferredVersion: versions[0] };
}

/** GET /apis: the named groups served (kube's legacy discovery; aggregated discovery is not served, so clients fall back to this). */
export function apiGroupList(catalog: ResourceCatalog): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: catalog.groups().map(groupEntry) };
}

/** GET /apis/{group}: one served group, or undefined. */
export function apiGroup(catalog: ResourceCatalog, name: string): unknown {
  const group = catalog.groups().find((g) => g.name === name);
  return group === undefined ? undefined : { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group) };
}

/**
 * GET /api/v1 (group '') or /apis/{group}/{version}: every served resource
 * and subresource of that group version with its verbs; undefined when none
 * is served there.
 */
export function apiResourceList(catalog: ResourceCatalog, group = '', version = 'v1'): unknown {
  const list: Record<string, unknown>[] = [];
  for (const r of catalog.all()) {
    if (r.group !== group || r.version !== version) continue;
    const entry: Record<string, unknown> = {
      name: r.name,
      singularName: r.singularName,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
    };
    if (r.shortNames.length > 0) entry['shortNames'] = r.shortNames;
    if (r.categories !== undefined) entry['categories'] = r.categories;
    if (r.custom === true) entry['storageVersionHash'] = storageVersionHash(r);
    list.push(entry);
    for (const sub of r.subresources) {
      list.push({ name: `${r.name}/${sub}`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: sub === 'finalize' ? ['update'] : ['get', 'patch', 'update'] });
    }
  }
  if (list.length === 0) return undefined;
  // The core group's list carries no apiVersion; a named group's does (as kube-apiserver answers).
  return group === '' ? { kind: 'APIResourceList', groupVersion: version, resources: list } : { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources: list };
}

/** GET /apis/{group} or /apis/{group}/{version} of a served group; undefined for any other path. */
export function groupDiscovery(catalog: ResourceCatalog, path: string): unknown {
  const segs = path.split('/');
  if (segs[1] !== 'apis' || segs[2] === undefined) return undefined;
  if (segs.length === 3) return apiGroup(catalog, segs[2]);
  return segs.length === 4 ? apiResourceList(catalog, segs[2], segs[3] ?? '') : undefined;
}

/**
 * GET /version: the Kubernetes version whose API this server follows,
 * v1.37.2 (its answers were checked against kube-apiserver v1.37.2), with
 * kube's emulation fields; `+kom` build metadata tells it apart.
 */
export function versionInfo(): unknown {
  return {
    major: '1',
    minor: '37',
    emulationMajor: '1',
    emulationMinor: '37',
    minCompatibilityMajor: '1',
    minCompatibilityMinor: '36',
    gitVersion: 'v1.37.2+kom',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.26.8',
    compiler: 'gc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
