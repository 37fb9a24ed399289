// Scripts about who references what: re-registration, several pods, unregistering.
import {
  createConfigMap,
  createSecret,
  entries,
  fails,
  getConfigMap,
  getSecret,
  is,
  minutes,
  advance,
  only,
  register,
  remove,
  unregister,
  update,
  type PodShape,
  type Script,
} from '../script.ts';

const notRegistered = fails('NotRegistered');

const p1: PodShape = { name: 'web', uid: 'uid-1', secretVolumes: ['a'], configMapEnvFrom: ['x'] };
/** The same pod (same UID) after an update that changed its references. */
const p1Changed: PodShape = { ...p1, secretVolumes: ['b'], configMapEnvFrom: ['x', 'y'] };

export const reRegisterSameUid: Script = {
  name: 're-registration same uid',
  covers: 'a pod registered again with the same UID: unchanged names keep their cached copy (v1.37), changed references move',
  strategies: ['cache', 'watch'],
  refreshOnReRegister: false,
  steps: [
    createSecret('a', { v: '1' }, 'a1'),
    createSecret('b', { v: '1' }, 'b1'),
    createConfigMap('x', { mode: 'one' }, 'x1'),
    createConfigMap('y', { mode: 'one' }, 'y1'),
    register(p1),
    getSecret('a', { want: is('a1') }),
    getConfigMap('x', { want: is('x1') }),
    getSecret('b', { want: notRegistered }),
    entries('Secret', { want: { a: { state: 'synced', write: 'a1' } } }),
    update('Secret', 'a', { data: { v: '2' } }, 'a2'),
    register(p1),
    // v1.37 adds no reference for an unchanged name: the TTL copy stays.
    getSecret('a', { want: { cache: is('a1'), watch: is('a2') } }),
    register(p1Changed),
    getSecret('a', { want: notRegistered }),
    getSecret('b', { want: is('b1') }),
    getConfigMap('y', { want: is('y1') }),
    getConfigMap('x', { want: is('x1') }),
    entries('Secret', { want: { a: { state: 'absent' }, b: { state: 'synced', write: 'b1' } } }),
    entries('ConfigMap'),
    update('ConfigMap', 'x', { data: { mode: 'two' } }, 'x2'),
    getConfigMap('x', { want: { cache: is('x1'), watch: is('x2') } }),
    minutes(1),
    getConfigMap('x', { want: is('x2') }),
    register(p1),
    getSecret('a', { want: is('a2') }),
    getSecret('b', { want: notRegistered }),
    getConfigMap('y', { want: notRegistered }),
    entries('ConfigMap'),
    unregister(p1),
    getSecret('a', { want: notRegistered }),
    getConfigMap('x', { want: notRegistered }),
    entries('Secret', { want: { a: { state: 'absent' } } }),
  ],
};

const oldWeb: PodShape = { name: 'web', uid: 'uid-old', secretVolumes: ['db'], configMapVolumes: ['cfg'] };
/** The pod deleted and created again under the same name: a new UID. */
const newWeb: PodShape = { name: 'web', uid: 'uid-new', secretVolumes: ['db', 'tls'], configMapVolumes: ['cfg'] };

export const reRegisterNewUid: Script = {
  name: 're-registration new uid',
  covers: 'a pod recreated under the same name (new UID) while the old one is still registered',
  strategies: ['cache', 'watch'],
  refreshOnReRegister: false,
  steps: [
    createSecret('db', { password: 'one' }, 'db1'),
    createSecret('tls', { crt: 'one' }, 'tls1'),
    createConfigMap('cfg', { level: 'info' }, 'cfg1'),
    register(oldWeb),
    getSecret('db', { want: is('db1') }),
    getConfigMap('cfg', { want: is('cfg1') }),
    update('Secret', 'db', { data: { password: 'two' } }, 'db2'),
    getSecret('db', { want: { cache: is('db1'), watch: is('db2') } }),
    // A new UID is a new pod: every name is added, which refreshes the TTL copies.
    register(newWeb),
    getSecret('db', { want: is('db2') }),
    getSecret('tls', { want: is('tls1') }),
    entries('Secret', { want: { db: { state: 'synced', write: 'db2' }, tls: { state: 'synced', write: 'tls1' } } }),
    unregister(oldWeb),
    getSecret('db', { want: is('db2') }),
    getConfigMap('cfg', { want: is('cfg1') }),
    entries('Secret'),
    update('Secret', 'db', { data: { password: 'three' } }, 'db3'),
    minutes(1),
    getSecret('db', { want: is('db3') }),
    unregister(oldWeb),
    getSecret('db', { want: is('db3') }),
    entries('ConfigMap'),
    unregister(newWeb),
    getSecret('db', { want: notRegistered }),
    getSecret('tls', { want: notRegistered }),
    getConfigMap('cfg', { want: notRegistered }),
    entries('Secret', { want: { db: { state: 'absent' }, tls: { state: 'absent' } } }),
  ],
};

const statusPod: PodShape = { name: 'api', uid: 'uid-api', secretVolumes: ['s'], configMapVolumes: ['c'] };
const statusPodMore: PodShape = { ...statusPod, secretEnv: ['t'] };
const sidecar: PodShape = { name: 'sidecar', uid: 'uid-sidecar', secretVolumes: ['s'] };
const seedRule = 'DESIGN.md #5: refreshOnReRegister defaults to the seed\'s v1.26 rule (every re-registration refreshes every name)';

export const refreshOnReRegisterDefault: Script = {
  name: 'refresh on re-register default',
  covers: 'our caching managers with their default refreshOnReRegister (true, the seed\'s v1.26) against v1.37, which re-adds only new names',
  strategies: ['cache'],
  // refreshOnReRegister left unset: the default is what this script pins.
  steps: [
    createSecret('s', { v: '1' }, 's1'),
    createSecret('t', { v: '1' }, 't1'),
    createConfigMap('c', { v: '1' }, 'c1'),
    register(statusPod),
    getSecret('s', { want: is('s1') }),
    getConfigMap('c', { want: is('c1') }),
    update('Secret', 's', { data: { v: '2' } }, 's2'),
    update('ConfigMap', 'c', { data: { v: '2' } }, 'c2'),
    getSecret('s', { want: is('s1') }),
    register(statusPod),
    getSecret('s', { differs: { why: seedRule, ours: is('s2'), go: is('s1') } }),
    getConfigMap('c', { differs: { why: seedRule, ours: is('c2'), go: is('c1') } }),
    entries('Secret', { differs: { why: seedRule, ours: { s: { state: 'synced', write: 's2' } }, go: { s: { state: 'synced', write: 's1' } } } }),
    advance(30_000),
    update('Secret', 's', { data: { v: '3' } }, 's3'),
    getSecret('s', { differs: { why: seedRule, ours: is('s2'), go: is('s1') } }),
    advance(30_000),
    getSecret('s', { want: is('s3') }),
    getConfigMap('c', { want: is('c2') }),
    // A new pod (new UID) adds every name on both sides.
    update('Secret', 's', { data: { v: '4' } }, 's4'),
    register(sidecar),
    getSecret('s', { want: is('s4') }),
    // A changed re-registration: v1.37 adds only the new name t; ours refreshes s too.
    update('Secret', 's', { data: { v: '5' } }, 's5'),
    register(statusPodMore),
    getSecret('t', { want: is('t1') }),
    getSecret('s', { differs: { why: seedRule, ours: is('s5'), go: is('s4') } }),
    unregister(statusPodMore),
    getSecret('t', { want: notRegistered }),
    getSecret('s', { differs: { why: seedRule, ours: is('s5'), go: is('s4') } }),
    unregister(sidecar),
    getSecret('s', { want: notRegistered }),
    entries('Secret', { want: { s: { state: 'absent' } } }),
  ],
};

const podA: PodShape = { name: 'a', uid: 'uid-a', secretVolumes: ['shared', 'own-a'], configMapVolumes: ['common'] };
const podB: PodShape = { name: 'b', uid: 'uid-b', secretEnv: ['shared'], pullSecrets: ['own-b'], configMapEnvFrom: ['common'] };
const podC: PodShape = { name: 'c', uid: 'uid-c', projected: { secrets: ['shared'], configMaps: ['common'] } };
const noUid1: PodShape = { name: 'd', uid: '', secretVolumes: ['own-b'] };
const noUid2: PodShape = { name: 'e', uid: '', secretEnv: ['own-b'] };

export const severalPods: Script = {
  name: 'several pods one object',
  covers: 'three pods referencing one Secret and one ConfigMap through different fields, unregistered one by one',
  strategies: ['cache', 'watch'],
  refreshOnReRegister: false,
  steps: [
    createSecret('shared', { v: '1' }, 'sh1'),
    createSecret('own-a', { v: '1' }, 'a1'),
    createSecret('own-b', { v: '1' }, 'b1'),
    createConfigMap('common', { v: '1' }, 'co1'),
    register(podA),
    register(podB),
    register(podC),
    getSecret('shared', { want: is('sh1') }),
    getSecret('own-a', { want: is('a1') }),
    getSecret('own-b', { want: is('b1') }),
    getConfigMap('common', { want: is('co1') }),
    entries('Secret', { want: { shared: { state: 'synced', write: 'sh1' } } }),
    entries('ConfigMap'),
    update('Secret', 'shared', { data: { v: '2' } }, 'sh2'),
    getSecret('shared', { want: { cache: is('sh1'), watch: is('sh2') } }),
    unregister(podA),
    getSecret('shared', { want: { cache: is('sh1'), watch: is('sh2') } }),
    getSecret('own-a', { want: notRegistered }),
    entries('Secret'),
    unregister(podB),
    getSecret('own-b', { want: notRegistered }),
    getConfigMap('common', { want: is('co1') }),
    minutes(1),
    getSecret('shared', { want: is('sh2') }),
    remove('Secret', 'shared'),
    getSecret('shared', { want: { cache: is('sh2'), watch: fails('NotFound') } }),
    minutes(1),
    getSecret('shared', { want: fails('NotFound') }),
    entries('Secret', { want: { shared: { state: 'missing' } } }),
    unregister(podC),
    getSecret('shared', { want: notRegistered }),
    getConfigMap('common', { want: notRegistered }),
    entries('ConfigMap', { want: { common: { state: 'absent' } } }),
    // Two pods without a UID: their references share the referrer "".
    register(noUid1),
    register(noUid2),
    getSecret('own-b', { want: is('b1') }),
    ...only(['watch'], entries('Secret', { want: { 'own-b': { state: 'synced', write: 'b1' } } })),
    unregister(noUid1),
    getSecret('own-b', { want: is('b1') }),
    unregister(noUid2),
    getSecret('own-b', { want: notRegistered }),
  ],
};

const reader: PodShape = { name: 'reader', uid: 'uid-r', secretVolumes: ['s'], configMapVolumes: ['c'] };
const other: PodShape = { name: 'other', uid: 'uid-o', secretEnv: ['s'] };
const configOnly: PodShape = { name: 'config-only', uid: 'uid-co', configMapVolumes: ['c'] };
/** Under the simple strategy nothing is registered: every get asks the server. */
const getAsks = (write: string) => ({ get: is(write), cache: notRegistered, watch: notRegistered });

export const unregisterThenGet: Script = {
  name: 'unregister then get',
  covers: 'gets before registering, after unregistering (twice), of unknown pods, and of names only another kind references',
  strategies: ['get', 'cache', 'watch'],
  refreshOnReRegister: false,
  steps: [
    createSecret('s', { v: '1' }, 's1'),
    createConfigMap('c', { v: '1' }, 'c1'),
    getSecret('s', { want: getAsks('s1') }),
    register(reader),
    getSecret('s', { want: is('s1') }),
    getConfigMap('c', { want: is('c1') }),
    unregister(reader),
    getSecret('s', { want: getAsks('s1') }),
    unregister(reader),
    getSecret('s', { want: getAsks('s1') }),
    unregister(other),
    getConfigMap('c', { want: getAsks('c1') }),
    update('Secret', 's', { data: { v: '2' } }, 's2'),
    register(reader),
    getSecret('s', { want: is('s2') }),
    register(other),
    unregister(other),
    getSecret('s', { want: is('s2') }),
    ...only(['cache', 'watch'], entries('Secret', { want: { s: { state: 'synced', write: 's2' } } })),
    unregister(reader),
    register(configOnly),
    getSecret('s', { want: getAsks('s2') }),
    getConfigMap('c', { want: is('c1') }),
    remove('ConfigMap', 'c'),
    getConfigMap('c', { want: { get: fails('NotFound'), cache: is('c1'), watch: fails('NotFound') } }),
    unregister(configOnly),
    getConfigMap('c', { want: { get: fails('NotFound'), cache: notRegistered, watch: notRegistered } }),
    ...only(['cache', 'watch'], entries('Secret', { want: { s: { state: 'absent' } } }), entries('ConfigMap', { want: { c: { state: 'absent' } } })),
  ],
};
