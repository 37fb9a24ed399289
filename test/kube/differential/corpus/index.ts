// The whole corpus, in the order it runs.
import type { Group } from '../case.ts';
import { clientFlows, discovery } from './clients.ts';
import { names, pagination, resourceVersions, selectors } from './reads.ts';
import { custom } from './custom.ts';
import { kinds } from './kinds.ts';
import { cluster, watches, wire } from './wire.ts';
import { conflicts, deletes, metadata, patches } from './writes.ts';

export const corpus: Group[] = [discovery, ...clientFlows, names, resourceVersions, selectors, pagination, patches, conflicts, deletes, metadata, watches, wire, kinds, cluster, custom];
