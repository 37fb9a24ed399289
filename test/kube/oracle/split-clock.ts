// Our watching managers on the Go program's clocks. kubelet-managers passes a
// fake clock to NewObjectCache, which reads it for last access and idle time
// only; its idle check runs every minute, and everything else (the
// reflector's backoff, the 1 s wait for a first sync) runs on real time.
// Ours take one Clock for all of that, so a plain FakeClock would leave a
// watch that hit a transient error waiting for a fake backoff that never
// ends, and a get waiting for a sync timeout that never fires.
import { idleCheckIntervalMs } from '../../../src/manager/object-cache.ts';
import { realClock, type Clock } from '../../../src/util/clock.ts';
import type { FakeClock } from '../../../src/util/fake-clock.ts';

type Handle = { fake: unknown } | { real: unknown };

/**
 * now() and the idle check's one-minute timer from `fake`; every other timer
 * on real time. The idle check is told apart by its delay: a reflector
 * waiting exactly a minute (a 429 with Retry-After: 60) would wait on the
 * fake clock, which these scripts never provoke.
 */
export class SplitClock implements Clock {
  readonly #fake: FakeClock;

  constructor(fake: FakeClock) {
    this.#fake = fake;
  }

  now(): number {
    return this.#fake.now();
  }

  setTimeout(fn: () => void, ms: number): Handle {
    return ms === idleCheckIntervalMs ? { fake: this.#fake.setTimeout(fn, ms) } : { real: realClock.setTimeout(fn, ms) };
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle !== 'object' || handle === null) return;
    if ('fake' in handle) this.#fake.clearTimeout(handle.fake);
    else if ('real' in handle) realClock.clearTimeout(handle.real);
  }
}
