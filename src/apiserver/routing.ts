import { builtinCatalog } from './catalog.ts';
import type { ResourceCatalog } from './catalog.ts';

/** Where an API request goes: a group version and the path segments after it. */
export interface ApiTarget {
  /** '' for the core group (/api/v1). */
  group: string;
  version: string;
  segments: string[];
}

/**
 * The resource request a path names: under /api/v1/ (core) or
 * /apis/{group}/{version}/ for a served group version; undefined for
 * anything else (discovery documents, paths not served).
 */
export function apiTarget(path: string, catalog: ResourceCatalog = builtinCatalog): ApiTarget | undefined {
  const segs = path.split('/');
  if (segs[1] === 'api' && segs[2] === 'v1' && segs.length > 3) return { group: '', version: 'v1', segments: segs.slice(3) };
  const group = segs[2] ?? '';
  const version = segs[3] ?? '';
  if (segs[1] === 'apis' && segs.length > 4 && catalog.servesGroupVersion(group, version)) return { group, version, segments: segs.slice(4) };
  return undefined;
}
