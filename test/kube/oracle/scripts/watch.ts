// Scripts about the watch store's idle stop: watches of objects not read for
// 5 x resync (5 minutes here) stop at the minute check; the next get starts
// them again and waits for a fresh list. Every object is read right after its
// pod registers (the Go side's real-time ticker then cannot change what is
// compared), except where a step pins DESIGN.md #9.
import { createConfigMap, createSecret, entries, fails, getConfigMap, getSecret, is, minutes, register, remove, stop, unregister, update, type PodShape, type Script } from '../script.ts';

const pod: PodShape = { name: 'p', uid: 'uid-p', secretVolumes: ['vol'], secretEnv: ['env'], configMapVolumes: ['c'] };
const late: PodShape = { name: 'late', uid: 'uid-late', secretVolumes: ['unread'] };
const idleFromZero = 'DESIGN.md #9: idle time counts from the first reference (v1.37: from the zero time, so an unread object stops at the first check)';

export const idleWatches: Script = {
  name: 'idle watches',
  covers: 'watches stop after 5 minutes unread (strictly more), reads keep them, a get restarts them; an unread object (DESIGN.md #9)',
  strategies: ['watch'],
  steps: [
    createSecret('vol', { v: '1' }, 'vol1'),
    createSecret('env', { v: '1' }, 'env1'),
    createConfigMap('c', { v: '1' }, 'c1'),
    register(pod),
    getSecret('vol', { want: is('vol1') }),
    getSecret('env', { want: is('env1') }),
    getConfigMap('c', { want: is('c1') }),
    entries('Secret', { want: { vol: { state: 'synced', write: 'vol1' }, env: { state: 'synced', write: 'env1' } } }),
    minutes(3),
    getSecret('vol', { want: is('vol1') }),
    minutes(2),
    // Exactly 5 minutes unread is not idle yet.
    entries('Secret', { want: { env: { state: 'synced' } } }),
    minutes(1),
    entries('Secret', { want: { env: { state: 'idle' }, vol: { state: 'synced' } } }),
    entries('ConfigMap', { want: { c: { state: 'idle' } } }),
    update('Secret', 'env', { data: { v: '2' } }, 'env2'),
    update('ConfigMap', 'c', { data: { v: '2' } }, 'c2'),
    getSecret('env', { want: is('env2') }),
    entries('Secret', { want: { env: { state: 'synced', write: 'env2' } } }),
    getConfigMap('c', { want: is('c2') }),
    minutes(2),
    entries('Secret', { want: { vol: { state: 'synced' }, env: { state: 'synced' } } }),
    minutes(1),
    entries('Secret', { want: { vol: { state: 'idle' }, env: { state: 'synced' } } }),
    remove('Secret', 'vol'),
    getSecret('vol', { want: fails('NotFound') }),
    createSecret('vol', { v: 'again' }, 'vol2'),
    getSecret('vol', { want: is('vol2') }),
    createSecret('unread', { v: '1' }, 'u1'),
    register(late),
    minutes(1),
    entries('Secret', { differs: { why: idleFromZero, ours: { unread: { state: 'synced', write: 'u1' } }, go: { unread: { state: 'idle' } } } }),
    getSecret('unread', { want: is('u1') }),
    entries('Secret', { want: { unread: { state: 'synced', write: 'u1' } } }),
    unregister(pod),
    unregister(late),
    entries('Secret', { want: { vol: { state: 'absent' }, unread: { state: 'absent' } } }),
    getSecret('env', { want: fails('NotRegistered') }),
  ],
};

const reader: PodShape = { name: 'reader', uid: 'uid-reader', secretVolumes: ['s'], configMapEnvFrom: ['c'] };
const second: PodShape = { name: 'second', uid: 'uid-second', secretEnv: ['s'] };

export const updatesWhileIdle: Script = {
  name: 'updates while idle',
  covers: 'updates, deletes and recreations while a watch is stopped for idleness, seen by the next get; a new pod referencing an idle object',
  strategies: ['watch'],
  steps: [
    createSecret('s', { v: '1' }, 's1'),
    createConfigMap('c', { v: '1' }, 'c1'),
    register(reader),
    getSecret('s', { want: is('s1') }),
    getConfigMap('c', { want: is('c1') }),
    minutes(6),
    entries('Secret', { want: { s: { state: 'idle' } } }),
    entries('ConfigMap', { want: { c: { state: 'idle' } } }),
    update('Secret', 's', { data: { v: '2' } }, 's2'),
    update('Secret', 's', { data: { v: '3' } }, 's3'),
    update('Secret', 's', { labels: { n: '4' } }, 's4'),
    update('ConfigMap', 'c', { data: { v: '2' } }, 'c2'),
    remove('ConfigMap', 'c'),
    entries('Secret', { want: { s: { state: 'idle' } } }),
    getSecret('s', { want: is('s4') }),
    getConfigMap('c', { want: fails('NotFound') }),
    createConfigMap('c', { v: 'again' }, 'c3'),
    getConfigMap('c', { want: is('c3') }),
    minutes(6),
    update('Secret', 's', { data: { v: '5' } }, 's5'),
    remove('Secret', 's'),
    createSecret('s', { v: 'recreated' }, 's6'),
    // A second pod referencing the idle object does not restart its watch; a get does.
    register(second),
    entries('Secret', { want: { s: { state: 'idle' } } }),
    getSecret('s', { want: is('s6') }),
    entries('Secret', { want: { s: { state: 'synced', write: 's6' } } }),
    unregister(reader),
    minutes(6),
    entries('Secret', { want: { s: { state: 'idle' } } }),
    entries('ConfigMap', { want: { c: { state: 'absent' } } }),
    update('Secret', 's', { data: { v: '7' } }, 's7'),
    getSecret('s', { want: is('s7') }),
    unregister(second),
    getSecret('s', { want: fails('NotRegistered') }),
  ],
};

const app: PodShape = { name: 'app', uid: 'uid-app', secretVolumes: ['s', 'frozen'], configMapVolumes: ['c'] };
const newcomer: PodShape = { name: 'newcomer', uid: 'uid-new', secretEnv: ['extra'] };
const joiner: PodShape = { name: 'joiner', uid: 'uid-join', secretVolumes: ['s'] };
const stoppedRule = 'DESIGN.md #6: once stopped, a get of a mutable object fails at once (CacheStoppedError) and no reference is taken; v1.37 marks it unsynced, so the get fails after its 1 s sync wait, and takes references it never watches';

export const stoppedWatches: Script = {
  name: 'stopped watch stores',
  covers: 'the watch stores stopped (the kubelet shutting down): immutable objects still served, mutable ones and new registrations refused',
  strategies: ['watch'],
  steps: [
    createSecret('s', { v: '1' }, 's1'),
    createSecret('frozen', { v: '1' }, 'f1', { immutable: true }),
    createSecret('extra', { v: '1' }, 'e1'),
    createConfigMap('c', { v: '1' }, 'c1'),
    register(app),
    getSecret('s', { want: is('s1') }),
    getSecret('frozen', { want: is('f1') }),
    getConfigMap('c', { want: is('c1') }),
    entries('Secret', { want: { frozen: { state: 'immutable', write: 'f1' }, s: { state: 'synced', write: 's1' } } }),
    update('Secret', 's', { data: { v: '2' } }, 's2'),
    getSecret('s', { want: is('s2') }),
    stop(),
    getSecret('frozen', { want: is('f1') }),
    getSecret('s', { differs: { why: stoppedRule, ours: fails('CacheStopped'), go: fails('SyncFailed') } }),
    getConfigMap('c', { differs: { why: stoppedRule, ours: fails('CacheStopped'), go: fails('SyncFailed') } }),
    update('Secret', 's', { data: { v: '3' } }, 's3'),
    register(newcomer, { differs: { why: stoppedRule, ours: 'CacheStopped', go: 'ok' } }),
    getSecret('extra', { differs: { why: stoppedRule, ours: fails('NotRegistered'), go: fails('SyncFailed') } }),
    register(joiner, { differs: { why: stoppedRule, ours: 'CacheStopped', go: 'ok' } }),
    minutes(6),
    getSecret('frozen', { want: is('f1') }),
    unregister(newcomer),
    getSecret('extra', { want: fails('NotRegistered') }),
    unregister(joiner),
    unregister(app),
    getSecret('s', { want: fails('NotRegistered') }),
    getSecret('frozen', { want: fails('NotRegistered') }),
    getConfigMap('c', { want: fails('NotRegistered') }),
  ],
};
