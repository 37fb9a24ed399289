// Scripts about the objects themselves: immutable ones, deleted and missing
// ones, names no object can have, and pods the API server would refuse.
import {
  createConfigMap,
  createSecret,
  entries,
  fails,
  getConfigMap,
  getSecret,
  is,
  minutes,
  only,
  register,
  remove,
  unregister,
  update,
  type PodShape,
  type Script,
} from '../script.ts';

const notFound = fails('NotFound');
const notRegistered = fails('NotRegistered');

const frozenPod: PodShape = { name: 'frozen', uid: 'uid-f', secretVolumes: ['frozen', 'mutable'], configMapVolumes: ['frozen-cm'] };

export const immutableObjects: Script = {
  name: 'immutable objects',
  covers: 'immutable Secrets and ConfigMaps: the watch stops at the first read and serves that copy for good (labels changed, deleted, recreated mutable)',
  strategies: ['get', 'cache', 'watch'],
  refreshOnReRegister: false,
  steps: [
    createSecret('frozen', { k: '1' }, 'f1', { immutable: true }),
    createConfigMap('frozen-cm', { k: '1' }, 'fc1', { immutable: true, binaryData: { blob: Buffer.from([0, 1, 2, 255]) } }),
    createSecret('mutable', { k: '1' }, 'm1'),
    register(frozenPod),
    getSecret('frozen', { want: is('f1') }),
    getConfigMap('frozen-cm', { want: is('fc1') }),
    getSecret('mutable', { want: is('m1') }),
    ...only(['cache', 'watch'], entries('Secret'), entries('ConfigMap')),
    // Metadata of an immutable object may still change.
    update('Secret', 'frozen', { labels: { seen: 'yes' } }, 'f2'),
    update('ConfigMap', 'frozen-cm', { labels: { seen: 'yes' } }, 'fc2'),
    update('Secret', 'mutable', { data: { k: '2' } }, 'm2'),
    getSecret('frozen', { held: true, want: { get: is('f2'), cache: is('f1'), watch: is('f1') } }),
    getSecret('mutable', { want: { get: is('m2'), cache: is('m1'), watch: is('m2') } }),
    minutes(1),
    getSecret('frozen', { held: true, want: { get: is('f2'), cache: is('f2'), watch: is('f1') } }),
    getConfigMap('frozen-cm', { held: true, want: { get: is('fc2'), cache: is('fc2'), watch: is('fc1') } }),
    ...only(['cache', 'watch'], entries('Secret', { held: ['frozen'] })),
    remove('Secret', 'frozen'),
    getSecret('frozen', { held: true, want: { get: notFound, cache: is('f2'), watch: is('f1') } }),
    minutes(1),
    getSecret('frozen', { held: true, want: { get: notFound, cache: notFound, watch: is('f1') } }),
    createSecret('frozen', { k: 'mutable now' }, 'f3'),
    getSecret('frozen', { held: true, want: { get: is('f3'), cache: is('f3'), watch: is('f1') } }),
    // Registered anew, the object is watched anew.
    unregister(frozenPod),
    register(frozenPod),
    getSecret('frozen', { want: is('f3') }),
    update('Secret', 'frozen', { data: { k: 'changed' } }, 'f4'),
    getSecret('frozen', { want: { get: is('f4'), cache: is('f3'), watch: is('f4') } }),
    // Made immutable by an update: the watch stops at the next read of it.
    update('Secret', 'mutable', { immutable: true }, 'm3'),
    getSecret('mutable', { want: is('m3') }),
    update('Secret', 'mutable', { labels: { after: 'frozen' } }, 'm4'),
    getSecret('mutable', { held: true, want: { get: is('m4'), cache: is('m3'), watch: is('m3') } }),
    ...only(['cache', 'watch'], entries('Secret', { held: ['mutable'] })),
    unregister(frozenPod),
    getSecret('frozen', { want: { get: is('f4'), cache: notRegistered, watch: notRegistered } }),
  ],
};

const waiting: PodShape = { name: 'waiting', uid: 'uid-w', secretVolumes: ['later', 'gone'], configMapVolumes: ['later-cm'] };

export const deletedAndMissing: Script = {
  name: 'deleted and missing objects',
  covers: 'referenced before they exist, created, deleted, recreated with a new UID, deleted again',
  strategies: ['get', 'cache', 'watch'],
  refreshOnReRegister: false,
  steps: [
    createSecret('gone', { v: '1' }, 'g1'),
    register(waiting),
    getSecret('later', { want: notFound }),
    getSecret('gone', { want: is('g1') }),
    getConfigMap('later-cm', { want: notFound }),
    ...only(['cache', 'watch'], entries('Secret', { want: { later: { state: 'missing' }, gone: { state: 'synced', write: 'g1' } } })),
    // A cached NotFound is asked again at once.
    createSecret('later', { v: '1' }, 'l1'),
    getSecret('later', { want: is('l1') }),
    remove('Secret', 'gone'),
    getSecret('gone', { want: { get: notFound, cache: is('g1'), watch: notFound } }),
    minutes(1),
    getSecret('gone', { want: notFound }),
    createSecret('gone', { v: '2' }, 'g2'),
    getSecret('gone', { want: is('g2') }),
    createConfigMap('later-cm', { v: '1' }, 'lc1'),
    getConfigMap('later-cm', { want: is('lc1') }),
    update('ConfigMap', 'later-cm', { data: { v: '2' } }, 'lc2'),
    getConfigMap('later-cm', { want: { get: is('lc2'), cache: is('lc1'), watch: is('lc2') } }),
    getSecret('later', { want: is('l1') }),
    remove('Secret', 'later'),
    createSecret('later', { v: 'two' }, 'l2'),
    getSecret('later', { want: { get: is('l2'), cache: is('l1'), watch: is('l2') } }),
    minutes(1),
    getSecret('later', { want: is('l2') }),
    getConfigMap('later-cm', { want: is('lc2') }),
    remove('ConfigMap', 'later-cm'),
    getConfigMap('later-cm', { want: { get: notFound, cache: is('lc2'), watch: notFound } }),
    minutes(1),
    getConfigMap('later-cm', { want: notFound }),
    ...only(['cache', 'watch'], entries('ConfigMap', { want: { 'later-cm': { state: 'missing' } } })),
    unregister(waiting),
    getSecret('gone', { want: { get: is('g2'), cache: notRegistered, watch: notRegistered } }),
  ],
};

const longName = 'x'.repeat(300);
const strange: PodShape = {
  name: 'strange',
  uid: 'uid-s',
  pullSecrets: ['Registry_Creds', 'regular'],
  secretVolumes: ['..', 'a%2fb'],
  secretEnv: [longName, 'a,b=c'],
  projected: { secrets: ['a/b'], configMaps: ['Upper_Case'] },
  configMapEnvFrom: ['has space'],
};
const notPathSegment = 'DESIGN.md #1: a name that is not a path segment is never requested and answers NotFound (client-go refuses to build the request: "invalid resource name")';
const unreachable = { get: { why: notPathSegment, ours: notFound, go: fails('Unknown') }, cache: { why: notPathSegment, ours: notFound, go: fails('Unknown') } };

export const impossibleNames: Script = {
  name: 'names that cannot exist',
  covers: 'pods naming objects no object can have: Registry_Creds, "..", "a%2fb", "a/b", a 300-character name, selector syntax, spaces',
  strategies: ['get', 'cache', 'watch'],
  refreshOnReRegister: false,
  steps: [
    createSecret('regular', { v: '1' }, 'r1'),
    register(strange),
    getSecret('regular', { want: is('r1') }),
    getSecret('Registry_Creds', { want: notFound }),
    getSecret('..', { want: { watch: notFound }, differs: unreachable }),
    getSecret('a%2fb', { want: { watch: notFound }, differs: unreachable }),
    getSecret('a/b', { want: { watch: notFound }, differs: unreachable }),
    getSecret(longName, { want: notFound }),
    getSecret('a,b=c', { want: notFound }),
    getConfigMap('Upper_Case', { want: notFound }),
    getConfigMap('has space', { want: notFound }),
    ...only(['watch'], entries('Secret'), entries('ConfigMap')),
    ...only(
      ['cache'],
      entries('Secret', {
        differs: {
          why: notPathSegment,
          ours: { '..': { state: 'missing' }, 'a%2fb': { state: 'missing' }, 'a/b': { state: 'missing' } },
          go: { '..': { state: 'pending' }, 'a%2fb': { state: 'pending' }, 'a/b': { state: 'pending' } },
        },
      }),
      entries('ConfigMap'),
    ),
    update('Secret', 'regular', { data: { v: '2' } }, 'r2'),
    getSecret('regular', { want: { get: is('r2'), cache: is('r1'), watch: is('r2') } }),
    minutes(1),
    getSecret('Registry_Creds', { want: notFound }),
    getSecret('..', { want: { watch: notFound }, differs: unreachable }),
    getSecret('regular', { want: is('r2') }),
    unregister(strange),
    getSecret('Registry_Creds', { want: { get: notFound, cache: notRegistered, watch: notRegistered } }),
    getSecret('..', { want: { cache: notRegistered, watch: notRegistered }, differs: { get: unreachable.get } }),
    getConfigMap('has space', { want: { get: notFound, cache: notRegistered, watch: notRegistered } }),
    ...only(['cache', 'watch'], entries('Secret', { want: { regular: { state: 'absent' } } })),
  ],
};

const everySource = 'DESIGN.md #12: a volume with several sources (refused by the API server) has every source visited; v1.37 visits only the first in its switch order';
/** Volumes with two sources each: the API server refuses such pods, but a pod source that skips validation could hand one over. */
const twoSources: PodShape = {
  name: 'two-sources',
  uid: 'uid-two',
  rawVolumes: [
    { name: 'azure-and-secret', azureFile: { secretName: 'via-azure', shareName: 'share' }, secret: { secretName: 'via-secret' } },
    { name: 'projected-and-configmap', projected: { sources: [{ configMap: { name: 'via-projection' } }] }, configMap: { name: 'via-configmap' } },
  ],
};

export const twoSourceVolumes: Script = {
  name: 'volumes with two sources',
  covers: 'a pod the API server would refuse: volumes naming objects through two sources at once',
  strategies: ['cache', 'watch'],
  refreshOnReRegister: false,
  steps: [
    createSecret('via-azure', { v: '1' }, 'az1'),
    createSecret('via-secret', { v: '1' }, 'se1'),
    createConfigMap('via-projection', { v: '1' }, 'pr1'),
    createConfigMap('via-configmap', { v: '1' }, 'cm1'),
    register(twoSources),
    getSecret('via-azure', { want: is('az1') }),
    getSecret('via-secret', { differs: { why: everySource, ours: is('se1'), go: notRegistered } }),
    getConfigMap('via-projection', { want: is('pr1') }),
    getConfigMap('via-configmap', { differs: { why: everySource, ours: is('cm1'), go: notRegistered } }),
    entries('Secret', { differs: { why: everySource, ours: { 'via-secret': { state: 'synced', write: 'se1' } }, go: { 'via-secret': { state: 'absent' } } } }),
    entries('ConfigMap', { differs: { why: everySource, ours: { 'via-configmap': { state: 'synced', write: 'cm1' } }, go: { 'via-configmap': { state: 'absent' } } } }),
    update('Secret', 'via-azure', { data: { v: '2' } }, 'az2'),
    update('ConfigMap', 'via-projection', { data: { v: '2' } }, 'pr2'),
    getSecret('via-azure', { want: { cache: is('az1'), watch: is('az2') } }),
    getConfigMap('via-projection', { want: { cache: is('pr1'), watch: is('pr2') } }),
    minutes(1),
    getSecret('via-azure', { want: is('az2') }),
    getConfigMap('via-projection', { want: is('pr2') }),
    remove('Secret', 'via-azure'),
    minutes(1),
    getSecret('via-azure', { want: notFound }),
    unregister(twoSources),
    getSecret('via-azure', { want: notRegistered }),
    getSecret('via-secret', { want: notRegistered }),
    getConfigMap('via-configmap', { want: notRegistered }),
    entries('Secret', { want: { 'via-secret': { state: 'absent' }, 'via-azure': { state: 'absent' } } }),
    entries('ConfigMap'),
  ],
};
