import { allResources, lookupResource, servedGroups } from './resources.ts';
import type { ResourceInfo } from './resources.ts';

/**
 * What one server serves: the built-in resources (resources.ts) and the
 * extra ones its caller registered (extra-resources.ts). Routing, discovery,
 * OpenAPI and the REST layer look resources up here.
 */
export class ResourceCatalog {
  readonly extras: readonly ResourceInfo[];
  readonly #extraByPath: ReadonlyMap<string, ResourceInfo>;
  readonly #groups: readonly { name: string; versions: string[] }[];

  constructor(extras: readonly ResourceInfo[] = []) {
    this.extras = extras;
    this.#extraByPath = new Map(extras.map((r) => [`${r.group}/${r.version}/${r.name}`, r]));
    const groups = servedGroups();
    for (const r of extras) {
      let group = groups.find((g) => g.name === r.group);
      if (group === undefined) {
        group = { name: r.group, versions: [] };
        groups.push(group);
      }
      if (!group.versions.includes(r.version)) group.versions.push(r.version);
    }
    this.#groups = groups;
  }

  /** The resource served at `/apis/{group}/{version}/{plural}` (group '' for /api/v1), if any. */
  lookup(group: string, version: string, plural: string): ResourceInfo | undefined {
    return lookupResource(group, version, plural) ?? this.#extraByPath.get(`${group}/${version}/${plural}`);
  }

  /** Every served resource: the built-in ones in discovery order, then the extra ones. */
  all(): ResourceInfo[] {
    return [...allResources(), ...this.extras];
  }

  /** The named groups served and their versions: the built-in ones in kube's order, then the extra ones as registered. */
  groups(): readonly { name: string; versions: readonly string[] }[] {
    return this.#groups;
  }

  /** Whether `/apis/{group}/{version}` is served. */
  servesGroupVersion(group: string, version: string): boolean {
    return this.groups().some((g) => g.name === group && g.versions.includes(version));
  }
}

/** The built-in resources alone. */
export const builtinCatalog = new ResourceCatalog();
