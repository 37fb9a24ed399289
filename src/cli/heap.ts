import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/**
 * The V8 heap in use after a full garbage collection, so that differences
 * measure what is held, not garbage. The collector is reached through V8's
 * --expose-gc flag, set at run time (a CLI cannot pass node flags).
 */
export function heapUsedAfterGc(): number {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}
