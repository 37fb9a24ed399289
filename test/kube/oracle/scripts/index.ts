// Every oracle script, in the order the suite runs them.
import type { Script } from '../script.ts';
import { deletedAndMissing, immutableObjects, impossibleNames, twoSourceVolumes } from './objects.ts';
import { reRegisterNewUid, reRegisterSameUid, refreshOnReRegisterDefault, severalPods, unregisterThenGet } from './registration.ts';
import { ttlDefault, ttlFromNode, ttlHugeAnnotation } from './ttl.ts';
import { idleWatches, stoppedWatches, updatesWhileIdle } from './watch.ts';

export const scripts: Script[] = [
  reRegisterSameUid,
  reRegisterNewUid,
  refreshOnReRegisterDefault,
  severalPods,
  unregisterThenGet,
  ttlDefault,
  ttlFromNode,
  ttlHugeAnnotation,
  idleWatches,
  updatesWhileIdle,
  stoppedWatches,
  immutableObjects,
  deletedAndMissing,
  impossibleNames,
  twoSourceVolumes,
];
