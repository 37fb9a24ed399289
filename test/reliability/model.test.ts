// Model-based test of the watching manager: random sequences of pod
// registrations (re-registrations with changed references included),
// unregistrations, reads, object writes and deletes, and idle time, checked
// after every step against a small reference model:
// - one open watch per referenced object that is not stopped for idleness;
// - entries() lists exactly the referenced objects, their referrers and state;
// - get() answers what the source holds (or NotFound), and "not registered"
//   for names no registered pod references;
// - the only pending timer is the idle check, and only while something is
//   referenced; after unregistering everything, no watch and no timer is left.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isNotFound, NotRegisteredError, type Manager } from '../../src/index.ts';
import { FakeClock, FakeObjectSource } from '../../src/testing.ts';
import { pod, secret, watchingManagerOver } from '../helpers/objects.ts';
import { settle } from '../helpers/settle.ts';

const ns = 'ns';
const names = ['a', 'b', 'c', 'd'] as const;
const podCount = 3;
/** resyncIntervalMs 60 s: a watch not read for 5 minutes stops; idleness is checked every minute. */
const maxIdleMs = 300_000;
const idleCheckMs = 60_000;

interface ModelItem {
  lastAccess: number;
  idle: boolean;
}

interface Model {
  now: number;
  /** References of each registered pod, by pod index. */
  pods: Map<number, ReadonlySet<string>>;
  /** What the source holds: name to value. */
  objects: Map<string, string>;
  /** One per referenced name. */
  items: Map<string, ModelItem>;
  idleTimerDue: number | undefined;
}

interface Real {
  clock: FakeClock;
  source: FakeObjectSource;
  manager: Manager;
}

const podOf = (i: number, refs: Iterable<string>) => pod(ns, `p${i}`, `uid-${i}`, [...refs]);

function referenced(model: Model): Map<string, string[]> {
  const refs = new Map<string, string[]>();
  for (const [i, podRefs] of model.pods) for (const name of podRefs) refs.set(name, [...(refs.get(name) ?? []), `uid-${i}`]);
  return refs;
}

/** Applies a change of registrations to the model as the store does: new items first, then removals. */
function setPod(model: Model, index: number, refs: ReadonlySet<string> | undefined): void {
  const before = new Set(referenced(model).keys());
  if (refs === undefined) model.pods.delete(index);
  else model.pods.set(index, refs);
  const after = new Set(referenced(model).keys());
  for (const name of after) {
    if (before.has(name)) continue;
    model.items.set(name, { lastAccess: model.now, idle: false });
    model.idleTimerDue ??= model.now + idleCheckMs;
  }
  for (const name of before) if (!after.has(name)) model.items.delete(name);
  if (model.items.size === 0) model.idleTimerDue = undefined;
}

async function checkInvariants(model: Model, real: Real): Promise<void> {
  await settle();
  const refs = referenced(model);
  const running = [...model.items.values()].filter((item) => !item.idle).length;
  assert.equal(real.source.activeWatches, running, 'one watch per referenced object not idle');
  const entries = (real.manager.entries?.() ?? []).map((e) => ({ name: e.name, referrers: [...e.referrers].sort(), state: e.state }));
  const expected = [...refs].map(([name, uids]) => ({
    name,
    referrers: [...uids].sort(),
    state: model.items.get(name)?.idle === true ? 'idle' : model.objects.has(name) ? 'synced' : 'missing',
  }));
  const byName = (x: { name: string }, y: { name: string }): number => x.name.localeCompare(y.name);
  assert.deepEqual(entries.sort(byName), expected.sort(byName));
  assert.equal(real.clock.pendingTimers, model.idleTimerDue === undefined ? 0 : 1, 'only the idle check is pending');
}

class RegisterPod implements fc.AsyncCommand<Model, Real> {
  readonly index: number;
  readonly refs: ReadonlySet<string>;
  constructor(index: number, refs: string[]) {
    this.index = index;
    this.refs = new Set(refs);
  }
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    // Duplicated references in the pod are counted once.
    real.manager.registerPod(podOf(this.index, [...this.refs, ...this.refs]));
    setPod(model, this.index, this.refs);
    await checkInvariants(model, real);
  }
  toString = (): string => `register(p${this.index}, [${[...this.refs].join(',')}])`;
}

class UnregisterPod implements fc.AsyncCommand<Model, Real> {
  readonly index: number;
  constructor(index: number) {
    this.index = index;
  }
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    real.manager.unregisterPod(podOf(this.index, model.pods.get(this.index) ?? []));
    setPod(model, this.index, undefined);
    await checkInvariants(model, real);
  }
  toString = (): string => `unregister(p${this.index})`;
}

class Get implements fc.AsyncCommand<Model, Real> {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    const item = model.items.get(this.name);
    const answer = real.manager.getObject(ns, this.name);
    if (item === undefined) {
      await assert.rejects(answer, NotRegisteredError);
    } else {
      item.lastAccess = model.now;
      item.idle = false;
      const value = model.objects.get(this.name);
      if (value === undefined) {
        await assert.rejects(answer, (err) => isNotFound(err));
      } else {
        const object = (await answer) as { data?: Record<string, string> };
        assert.equal(object.data?.['v'], value);
        assert.ok(Object.isFrozen(object), 'answers are frozen');
      }
    }
    await checkInvariants(model, real);
  }
  toString = (): string => `get(${this.name})`;
}

class Write implements fc.AsyncCommand<Model, Real> {
  readonly name: string;
  readonly value: string;
  constructor(name: string, value: string) {
    this.name = name;
    this.value = value;
  }
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    real.source.set(secret(ns, this.name, { v: this.value }));
    model.objects.set(this.name, this.value);
    await checkInvariants(model, real);
  }
  toString = (): string => `write(${this.name}=${this.value})`;
}

class Delete implements fc.AsyncCommand<Model, Real> {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  check = (model: Readonly<Model>): boolean => model.objects.has(this.name);
  async run(model: Model, real: Real): Promise<void> {
    real.source.delete(ns, this.name);
    model.objects.delete(this.name);
    await checkInvariants(model, real);
  }
  toString = (): string => `delete(${this.name})`;
}

class Idle implements fc.AsyncCommand<Model, Real> {
  readonly ms: number;
  constructor(ms: number) {
    this.ms = ms;
  }
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    const end = model.now + this.ms;
    while (model.idleTimerDue !== undefined && model.idleTimerDue <= end) {
      const t = model.idleTimerDue;
      for (const item of model.items.values()) if (!item.idle && t - item.lastAccess > maxIdleMs) item.idle = true;
      model.idleTimerDue = model.items.size > 0 ? t + idleCheckMs : undefined;
    }
    model.now = end;
    real.clock.step(this.ms);
    await checkInvariants(model, real);
  }
  toString = (): string => `idle(${this.ms})`;
}

const name = fc.constantFrom(...names);
const podIndex = fc.integer({ min: 0, max: podCount - 1 });
const commands = fc.commands(
  [
    fc.tuple(podIndex, fc.subarray([...names])).map(([i, refs]) => new RegisterPod(i, refs)),
    podIndex.map((i) => new UnregisterPod(i)),
    name.map((n) => new Get(n)),
    fc.tuple(name, fc.constantFrom('x', 'y', 'z')).map(([n, v]) => new Write(n, v)),
    name.map((n) => new Delete(n)),
    fc.constantFrom(1_000, 59_000, 61_000, 150_000, 310_000).map((ms) => new Idle(ms)),
  ],
  { maxCommands: 50 },
);

test('watching manager against a reference model (100 runs of up to 50 commands)', { timeout: 60_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(commands, async (cmds) => {
      const clock = new FakeClock();
      const source = new FakeObjectSource();
      const controller = new AbortController();
      const manager = watchingManagerOver(source, clock, controller.signal);
      const model: Model = { now: 0, pods: new Map(), objects: new Map(), items: new Map(), idleTimerDue: undefined };
      const real: Real = { clock, source, manager };
      try {
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        // Unregistering every pod leaves nothing: no entry, no watch, no timer.
        for (const index of [...model.pods.keys()]) manager.unregisterPod(podOf(index, []));
        await settle();
        assert.deepEqual(manager.entries?.(), []);
        assert.equal(source.activeWatches, 0, 'no watch left');
        assert.equal(clock.pendingTimers, 0, 'no timer left');
      } finally {
        controller.abort();
      }
    }),
    { numRuns: 100 },
  );
});
