import { resources } from './resources.ts';

/** GET /api: the legacy core group's versions. */
export function apiVersions(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** GET /apis: no named groups are served. */
export function apiGroupList(): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [] };
}

/** GET /api/v1: every served resource and subresource with its verbs. */
export function apiResourceList(): unknown {
  const list: Record<string, unknown>[] = [];
  for (const r of resources.values()) {
    const entry: Record<string, unknown> = {
      name: r.name,
      singularName: r.singularName,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
    };
    if (r.shortNames.length > 0) entry['shortNames'] = r.shortNames;
    if (r.categories !== undefined) entry['categories'] = r.categories;
    list.push(entry);
    for (const sub of r.subresources) {
      list.push({ name: `${r.name}/${sub}`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: sub === 'finalize' ? ['update'] : ['get', 'patch', 'update'] });
    }
  }
  return { kind: 'APIResourceList', groupVersion: 'v1', resources: list };
}

/** GET /version, reporting the Kubernetes version whose API this server follows. */
export function versionInfo(): unknown {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-kom',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
