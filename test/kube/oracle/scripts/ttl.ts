// Scripts about the TTL store's freshness, with the kubelet's default TTL and
// with the node's node.alpha.kubernetes.io/ttl annotation.
import { advance, createConfigMap, createSecret, fails, getConfigMap, getSecret, entries, is, nodeTTL, register, remove, unregister, update, type PodShape, type Script } from '../script.ts';

const pod: PodShape = { name: 'p', uid: 'uid-p', secretVolumes: ['s'], configMapVolumes: ['c'] };

export const ttlDefault: Script = {
  name: 'ttl default',
  covers: 'the one-minute TTL without a node: fresh until the last millisecond, NotFound cached and retried, a recreated object',
  strategies: ['cache'],
  refreshOnReRegister: false,
  steps: [
    createSecret('s', { v: '1' }, 's1'),
    createConfigMap('c', { v: '1' }, 'c1'),
    register(pod),
    getSecret('s', { want: is('s1') }),
    getConfigMap('c', { want: is('c1') }),
    update('Secret', 's', { data: { v: '2' } }, 's2'),
    advance(30_000),
    getSecret('s', { want: is('s1') }),
    advance(29_999),
    getSecret('s', { want: is('s1') }),
    advance(1),
    getSecret('s', { want: is('s2') }),
    update('Secret', 's', { labels: { touched: 'yes' } }, 's3'),
    advance(59_999),
    getSecret('s', { want: is('s2') }),
    getConfigMap('c', { want: is('c1') }),
    advance(1),
    getSecret('s', { want: is('s3') }),
    remove('Secret', 's'),
    advance(60_000),
    getSecret('s', { want: fails('NotFound') }),
    entries('Secret', { want: { s: { state: 'missing' } } }),
    // A cached NotFound is asked again at every get.
    createSecret('s', { v: 'new' }, 's4'),
    getSecret('s', { want: is('s4') }),
    update('Secret', 's', { data: { v: 'newer' } }, 's5'),
    getSecret('s', { want: is('s4') }),
    entries('Secret', { want: { s: { state: 'synced', write: 's4' } } }),
    update('ConfigMap', 'c', { data: { v: '2' } }, 'c2'),
    getConfigMap('c', { want: is('c2') }),
    unregister(pod),
    getSecret('s', { want: fails('NotRegistered') }),
  ],
};

const nodePod: PodShape = { name: 'p', uid: 'uid-p', secretEnv: ['s'], configMapEnvFrom: ['c'] };

export const ttlFromNode: Script = {
  name: 'ttl from node annotation',
  covers: 'node.alpha.kubernetes.io/ttl: none, 10, 0, -5, +20, not a number, and the annotation removed again',
  strategies: ['cache'],
  nodeTTL: true,
  refreshOnReRegister: false,
  steps: [
    createSecret('s', { v: '1' }, 's1'),
    createConfigMap('c', { v: '1' }, 'c1'),
    register(nodePod),
    getSecret('s', { want: is('s1') }),
    update('Secret', 's', { data: { v: '2' } }, 's2'),
    advance(30_000),
    getSecret('s', { want: is('s1') }),
    // 10 s: the copy fetched 30 s ago is stale now.
    nodeTTL('10'),
    getSecret('s', { want: is('s2') }),
    update('Secret', 's', { data: { v: '3' } }, 's3'),
    advance(9_999),
    getSecret('s', { want: is('s2') }),
    advance(1),
    getSecret('s', { want: is('s3') }),
    // 0 and negative: every get asks the server.
    nodeTTL('0'),
    update('Secret', 's', { data: { v: '4' } }, 's4'),
    getSecret('s', { want: is('s4') }),
    nodeTTL('-5'),
    update('Secret', 's', { data: { v: '5' } }, 's5'),
    getSecret('s', { want: is('s5') }),
    // strconv.Atoi takes a sign.
    nodeTTL('+20'),
    update('Secret', 's', { data: { v: '6' } }, 's6'),
    getSecret('s', { want: is('s5') }),
    advance(19_999),
    getSecret('s', { want: is('s5') }),
    advance(1),
    getSecret('s', { want: is('s6') }),
    // Not an integer: the default minute.
    nodeTTL('30s'),
    update('Secret', 's', { data: { v: '7' } }, 's7'),
    advance(30_000),
    getSecret('s', { want: is('s6') }),
    advance(30_000),
    getSecret('s', { want: is('s7') }),
    getConfigMap('c', { want: is('c1') }),
    nodeTTL(' 5'),
    update('ConfigMap', 'c', { data: { v: '2' } }, 'c2'),
    advance(5_000),
    getConfigMap('c', { want: is('c1') }),
    nodeTTL(undefined),
    advance(55_000),
    getConfigMap('c', { want: is('c2') }),
    entries('ConfigMap', { want: { c: { state: 'synced', write: 'c2' } } }),
    unregister(nodePod),
    getConfigMap('c', { want: fails('NotRegistered') }),
  ],
};

const wraps = 'DESIGN.md #11: a TTL annotation beyond what Go\'s time.Duration holds (more than 9223372036 s either way) is used as given; v1.37 multiplies it into nanoseconds, which wraps around';

export const ttlHugeAnnotation: Script = {
  name: 'ttl huge annotation',
  covers: 'TTL annotations at and beyond what Go\'s time.Duration holds (about 292 years in nanoseconds), and beyond an int64',
  strategies: ['cache'],
  nodeTTL: true,
  refreshOnReRegister: false,
  steps: [
    createSecret('s', { v: '1' }, 's1'),
    register(nodePod),
    nodeTTL('3600'),
    getSecret('s', { want: is('s1') }),
    update('Secret', 's', { data: { v: '2' } }, 's2'),
    advance(3_599_999),
    getSecret('s', { want: is('s1') }),
    advance(1),
    getSecret('s', { want: is('s2') }),
    // The largest number of seconds whose nanoseconds fit an int64.
    nodeTTL('9223372036'),
    update('Secret', 's', { data: { v: '3' } }, 's3'),
    advance(86_400_000),
    getSecret('s', { want: is('s2') }),
    // One more second wraps to a negative Duration in Go: every get fetches.
    nodeTTL('9223372037'),
    getSecret('s', { differs: { why: wraps, ours: is('s2'), go: is('s3') } }),
    update('Secret', 's', { data: { v: '4' } }, 's4'),
    getSecret('s', { differs: { why: wraps, ours: is('s2'), go: is('s4') } }),
    // And the negative one wraps to about 292 years: never fetched again.
    nodeTTL('-9223372037'),
    getSecret('s', { want: is('s4') }),
    update('Secret', 's', { data: { v: '5' } }, 's5'),
    getSecret('s', { differs: { why: wraps, ours: is('s5'), go: is('s4') } }),
    // Registered anew, both fetch again.
    unregister(nodePod),
    register(nodePod),
    getSecret('s', { want: is('s5') }),
    // Wraps to a positive Duration (about 246 years) in Go: both keep their copy.
    nodeTTL('99999999999'),
    update('Secret', 's', { data: { v: '6' } }, 's6'),
    advance(86_400_000),
    getSecret('s', { want: is('s5') }),
    // Beyond an int64: not a number to strconv.Atoi, nor a safe integer to us: the default minute.
    nodeTTL('99999999999999999999'),
    getSecret('s', { want: is('s6') }),
    update('Secret', 's', { data: { v: '7' } }, 's7'),
    getSecret('s', { want: is('s6') }),
    nodeTTL('60'),
    advance(60_000),
    getSecret('s', { want: is('s7') }),
    entries('Secret', { want: { s: { state: 'synced', write: 's7' } } }),
    unregister(nodePod),
    getSecret('s', { want: fails('NotRegistered') }),
  ],
};
