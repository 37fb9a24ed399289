import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Container, V1Pod, V1PodSpec, V1Volume } from '@kubernetes/client-node';
import {
  getConfigMapNames,
  getSecretNames,
  visitPodConfigmapNames,
  visitPodConfigmapReferences,
  visitPodSecretNames,
  visitPodSecretReferences,
} from '../../src/kubelet/pod-references.ts';
import type { PodReference } from '../../src/kubelet/pod-references.ts';

type Kind = 'secret' | 'configMap';

function podWith(spec: Partial<V1PodSpec>): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: 'ns', name: 'pod', uid: 'uid-1' },
    spec: { containers: [], ...spec },
  };
}

function referencesOf(kind: Kind, pod: V1Pod): PodReference[] {
  const refs: PodReference[] = [];
  const visit = kind === 'secret' ? visitPodSecretReferences : visitPodConfigmapReferences;
  assert.equal(
    visit(pod, (ref) => {
      refs.push(ref);
      return true;
    }),
    true,
  );
  return refs;
}

function namesOf(kind: Kind, pod: V1Pod): string[] {
  const names: string[] = [];
  const visit = kind === 'secret' ? visitPodSecretNames : visitPodConfigmapNames;
  assert.equal(
    visit(pod, (name) => {
      names.push(name);
      return true;
    }),
    true,
  );
  return names;
}

function setOf(kind: Kind, pod: V1Pod): Set<string> {
  return kind === 'secret' ? getSecretNames(pod) : getConfigMapNames(pod);
}

const other = (kind: Kind): Kind => (kind === 'secret' ? 'configMap' : 'secret');

const filler: V1Container = { name: 'filler', image: 'busybox' };
const containerLists = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** The container under test sits at index 1 of the list, after a container with no references. */
function inContainer(list: (typeof containerLists)[number], container: Omit<V1Container, 'name'>): Partial<V1PodSpec> {
  return { [list]: [filler, { name: 'target', image: 'busybox', ...container }] };
}

/** The volume under test sits at index 1, after an emptyDir. */
function inVolume(volume: Omit<V1Volume, 'name'>): Partial<V1PodSpec> {
  return { volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'target', ...volume }] };
}

/** env[2] holds the reference, after a literal value and a fieldRef. */
function envWith(valueFrom: NonNullable<V1Container['env']>[number]['valueFrom']): Omit<V1Container, 'name'> {
  return {
    env: [
      { name: 'PLAIN', value: 'x' },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'REF', valueFrom },
    ],
  };
}

/** envFrom[1] holds the reference, after an entry with only a prefix. */
function envFromWith(source: NonNullable<V1Container['envFrom']>[number]): Omit<V1Container, 'name'> {
  return { envFrom: [{ prefix: 'NOTHING_' }, source] };
}

interface Case {
  title: string;
  kind: Kind;
  spec: Partial<V1PodSpec>;
  expected: PodReference;
}

const cases: Case[] = [
  {
    title: 'imagePullSecrets',
    kind: 'secret',
    spec: { imagePullSecrets: [{}, { name: 'pull' }] },
    expected: { name: 'pull', path: 'spec.imagePullSecrets[1]', optional: false },
  },
  ...containerLists.flatMap((list): Case[] => [
    {
      title: `${list} env valueFrom.secretKeyRef`,
      kind: 'secret',
      spec: inContainer(list, envWith({ secretKeyRef: { name: `env-${list}`, key: 'k', optional: true } })),
      expected: { name: `env-${list}`, path: `spec.${list}[1].env[2].valueFrom.secretKeyRef`, optional: true },
    },
    {
      title: `${list} envFrom secretRef`,
      kind: 'secret',
      spec: inContainer(list, envFromWith({ secretRef: { name: `from-${list}` } })),
      expected: { name: `from-${list}`, path: `spec.${list}[1].envFrom[1].secretRef`, optional: false },
    },
    {
      title: `${list} env valueFrom.configMapKeyRef`,
      kind: 'configMap',
      spec: inContainer(list, envWith({ configMapKeyRef: { name: `env-${list}`, key: 'k' } })),
      expected: { name: `env-${list}`, path: `spec.${list}[1].env[2].valueFrom.configMapKeyRef`, optional: false },
    },
    {
      title: `${list} envFrom configMapRef`,
      kind: 'configMap',
      spec: inContainer(list, envFromWith({ configMapRef: { name: `from-${list}`, optional: true } })),
      expected: { name: `from-${list}`, path: `spec.${list}[1].envFrom[1].configMapRef`, optional: true },
    },
  ]),
  {
    title: 'secret volume',
    kind: 'secret',
    spec: inVolume({ secret: { secretName: 'vol', optional: true } }),
    expected: { name: 'vol', path: 'spec.volumes[1].secret', optional: true },
  },
  {
    title: 'azureFile volume secretName',
    kind: 'secret',
    spec: inVolume({ azureFile: { secretName: 'azure', shareName: 'share' } }),
    expected: { name: 'azure', path: 'spec.volumes[1].azureFile', optional: false },
  },
  {
    title: 'cephfs volume secretRef',
    kind: 'secret',
    spec: inVolume({ cephfs: { monitors: ['m:6789'], secretRef: { name: 'ceph' } } }),
    expected: { name: 'ceph', path: 'spec.volumes[1].cephfs.secretRef', optional: false },
  },
  {
    title: 'cinder volume secretRef',
    kind: 'secret',
    spec: inVolume({ cinder: { volumeID: 'v', secretRef: { name: 'cinder' } } }),
    expected: { name: 'cinder', path: 'spec.volumes[1].cinder.secretRef', optional: false },
  },
  {
    title: 'flexVolume secretRef',
    kind: 'secret',
    spec: inVolume({ flexVolume: { driver: 'd', secretRef: { name: 'flex' } } }),
    expected: { name: 'flex', path: 'spec.volumes[1].flexVolume.secretRef', optional: false },
  },
  {
    title: 'iscsi volume secretRef',
    kind: 'secret',
    spec: inVolume({ iscsi: { iqn: 'iqn', lun: 0, targetPortal: 'p', secretRef: { name: 'chap' } } }),
    expected: { name: 'chap', path: 'spec.volumes[1].iscsi.secretRef', optional: false },
  },
  {
    title: 'rbd volume secretRef',
    kind: 'secret',
    spec: inVolume({ rbd: { image: 'i', monitors: ['m'], secretRef: { name: 'rbd' } } }),
    expected: { name: 'rbd', path: 'spec.volumes[1].rbd.secretRef', optional: false },
  },
  {
    title: 'scaleIO volume secretRef',
    kind: 'secret',
    spec: inVolume({ scaleIO: { gateway: 'g', system: 's', secretRef: { name: 'scaleio' } } }),
    expected: { name: 'scaleio', path: 'spec.volumes[1].scaleIO.secretRef', optional: false },
  },
  {
    title: 'storageos volume secretRef',
    kind: 'secret',
    spec: inVolume({ storageos: { volumeName: 'v', secretRef: { name: 'storageos' } } }),
    expected: { name: 'storageos', path: 'spec.volumes[1].storageos.secretRef', optional: false },
  },
  {
    title: 'csi volume nodePublishSecretRef',
    kind: 'secret',
    spec: inVolume({ csi: { driver: 'csi.example.com', nodePublishSecretRef: { name: 'csi' } } }),
    expected: { name: 'csi', path: 'spec.volumes[1].csi.nodePublishSecretRef', optional: false },
  },
  {
    title: 'projected volume secret source',
    kind: 'secret',
    spec: inVolume({
      projected: { sources: [{ serviceAccountToken: { path: 'token' } }, { secret: { name: 'proj', optional: true } }] },
    }),
    expected: { name: 'proj', path: 'spec.volumes[1].projected.sources[1].secret', optional: true },
  },
  {
    title: 'configMap volume',
    kind: 'configMap',
    spec: inVolume({ configMap: { name: 'vol' } }),
    expected: { name: 'vol', path: 'spec.volumes[1].configMap', optional: false },
  },
  {
    title: 'projected volume configMap source',
    kind: 'configMap',
    spec: inVolume({
      projected: { sources: [{ downwardAPI: { items: [] } }, { configMap: { name: 'proj', optional: true } }] },
    }),
    expected: { name: 'proj', path: 'spec.volumes[1].projected.sources[1].configMap', optional: true },
  },
];

void describe('every reference path', () => {
  for (const c of cases) {
    void test(`${c.kind}: ${c.title}`, () => {
      const pod = podWith(c.spec);
      assert.deepEqual(referencesOf(c.kind, pod), [c.expected]);
      assert.deepEqual(namesOf(c.kind, pod), [c.expected.name]);
      assert.deepEqual(setOf(c.kind, pod), new Set([c.expected.name]));
      // A reference of one kind is never reported as the other kind.
      assert.deepEqual(referencesOf(other(c.kind), pod), []);
      assert.deepEqual(setOf(other(c.kind), pod), new Set());
    });
  }

  void test('the table covers every path for both kinds in every container list', () => {
    assert.equal(cases.filter((c) => c.kind === 'secret').length, 1 + 6 + 11);
    assert.equal(cases.filter((c) => c.kind === 'configMap').length, 6 + 2);
  });
});

/** A pod naming the same secret "shared" from several places, to check order and duplicates. */
const fullPod = podWith({
  imagePullSecrets: [{ name: 'pull' }, { name: 'shared' }],
  volumes: [
    { name: 'a', secret: { secretName: 'vol-secret' } },
    { name: 'b', configMap: { name: 'vol-cm' } },
    {
      name: 'c',
      projected: { sources: [{ configMap: { name: 'shared-cm' } }, { secret: { name: 'shared' } }] },
    },
    { name: 'd', csi: { driver: 'd', nodePublishSecretRef: { name: 'csi' } } },
  ],
  containers: [
    {
      name: 'main',
      env: [
        { name: 'A', valueFrom: { secretKeyRef: { name: 'main-env', key: 'a' } } },
        { name: 'B', valueFrom: { configMapKeyRef: { name: 'shared-cm', key: 'b' } } },
      ],
      envFrom: [{ secretRef: { name: 'main-from' } }, { configMapRef: { name: 'main-from-cm' } }],
    },
  ],
  initContainers: [{ name: 'init', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'shared', key: 'a' } } }] }],
  ephemeralContainers: [{ name: 'debug', envFrom: [{ secretRef: { name: 'debug-from' } }] }],
});

void describe('walk order and duplicates', () => {
  void test('secret references come in kubelet order with exact paths: pull secrets, init, regular, ephemeral containers (envFrom before env), volumes', () => {
    assert.deepEqual(
      referencesOf('secret', fullPod).map((r) => `${r.path} ${r.name}`),
      [
        'spec.imagePullSecrets[0] pull',
        'spec.imagePullSecrets[1] shared',
        'spec.initContainers[0].env[0].valueFrom.secretKeyRef shared',
        'spec.containers[0].envFrom[0].secretRef main-from',
        'spec.containers[0].env[0].valueFrom.secretKeyRef main-env',
        'spec.ephemeralContainers[0].envFrom[0].secretRef debug-from',
        'spec.volumes[0].secret vol-secret',
        'spec.volumes[2].projected.sources[1].secret shared',
        'spec.volumes[3].csi.nodePublishSecretRef csi',
      ],
    );
  });

  void test('configmap references come in the same order with exact paths', () => {
    assert.deepEqual(
      referencesOf('configMap', fullPod).map((r) => `${r.path} ${r.name}`),
      [
        'spec.containers[0].envFrom[1].configMapRef main-from-cm',
        'spec.containers[0].env[1].valueFrom.configMapKeyRef shared-cm',
        'spec.volumes[1].configMap vol-cm',
        'spec.volumes[2].projected.sources[0].configMap shared-cm',
      ],
    );
  });

  void test('the name visitors see every reference, duplicates included', () => {
    assert.deepEqual(namesOf('secret', fullPod), [
      'pull',
      'shared',
      'shared',
      'main-from',
      'main-env',
      'debug-from',
      'vol-secret',
      'shared',
      'csi',
    ]);
    assert.deepEqual(namesOf('configMap', fullPod), ['main-from-cm', 'shared-cm', 'vol-cm', 'shared-cm']);
  });

  void test('getSecretNames and getConfigMapNames collapse duplicates, keeping first-seen order', () => {
    assert.deepEqual([...getSecretNames(fullPod)], ['pull', 'shared', 'main-from', 'main-env', 'debug-from', 'vol-secret', 'csi']);
    assert.deepEqual([...getConfigMapNames(fullPod)], ['main-from-cm', 'shared-cm', 'vol-cm']);
  });
});

void describe('stopping early', () => {
  for (const kind of ['secret', 'configMap'] as const) {
    const visitNames = kind === 'secret' ? visitPodSecretNames : visitPodConfigmapNames;
    const visitRefs = kind === 'secret' ? visitPodSecretReferences : visitPodConfigmapReferences;
    const all = namesOf(kind, fullPod);

    void test(`${kind}: a name visitor returning false at each position stops there and the walk returns false`, () => {
      for (let stopAt = 0; stopAt < all.length; stopAt++) {
        const seen: string[] = [];
        const result = visitNames(fullPod, (name) => {
          seen.push(name);
          return seen.length <= stopAt;
        });
        assert.equal(result, false);
        assert.deepEqual(seen, all.slice(0, stopAt + 1));
      }
    });

    void test(`${kind}: a reference visitor returning false stops the walk too`, () => {
      const seen: string[] = [];
      assert.equal(
        visitRefs(fullPod, (ref) => {
          seen.push(ref.path);
          return false;
        }),
        false,
      );
      assert.equal(seen.length, 1);
    });
  }

  void test('stopping inside a container does not go on to the volumes (unlike the kubelet, which ignores it there)', () => {
    const pod = podWith({
      containers: [{ name: 'c', envFrom: [{ secretRef: { name: 'first' } }] }],
      volumes: [{ name: 'v', secret: { secretName: 'second' } }],
    });
    const seen: string[] = [];
    assert.equal(
      visitPodSecretNames(pod, (name) => {
        seen.push(name);
        return false;
      }),
      false,
    );
    assert.deepEqual(seen, ['first']);
  });

  void test('a pod without references completes at once, without calling the visitor', () => {
    let calls = 0;
    const count = (): boolean => {
      calls++;
      return false;
    };
    const pod = podWith({ containers: [{ name: 'c', image: 'busybox' }] });
    assert.equal(visitPodSecretNames(pod, count), true);
    assert.equal(visitPodConfigmapNames(pod, count), true);
    assert.equal(visitPodSecretReferences(pod, count), true);
    assert.equal(visitPodConfigmapReferences(pod, count), true);
    assert.equal(calls, 0);
  });

  void test('an error thrown by the visitor reaches the caller', () => {
    assert.throws(
      () =>
        visitPodSecretNames(fullPod, () => {
          throw new Error('visitor failed');
        }),
      /visitor failed/,
    );
  });
});

void describe('fields that name neither a secret nor a configmap', () => {
  void test('other volume sources, projections and env sources are not references', () => {
    const pod = podWith({
      containers: [
        {
          name: 'c',
          env: [
            { name: 'F', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'R', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
            { name: 'K', valueFrom: { fileKeyRef: { volumeName: 'config', path: 'env', key: 'K' } } },
          ],
          envFrom: [{ prefix: 'P_' }],
        },
      ],
      volumes: [
        { name: 'claim', persistentVolumeClaim: { claimName: 'my-secret-claim' } },
        {
          name: 'eph',
          ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'x' } } },
        },
        { name: 'img', image: { reference: 'registry/secret:1' } },
        { name: 'git', gitRepo: { repository: 'https://example.com/r.git' } },
        { name: 'host', hostPath: { path: '/etc/secret' } },
        { name: 'down', downwardAPI: { items: [] } },
        {
          name: 'proj',
          projected: {
            sources: [
              { serviceAccountToken: { path: 'token' } },
              { clusterTrustBundle: { name: 'bundle', path: 'ca.pem' } },
              { podCertificate: { keyType: 'ED25519', signerName: 'example.com/s' } },
              { downwardAPI: {} },
            ],
          },
        },
        { name: 'cephfs-file', cephfs: { monitors: ['m'], secretFile: '/etc/ceph/secret' } },
        { name: 'nfs', nfs: { server: 's', path: '/p' } },
      ],
    });
    assert.deepEqual(getSecretNames(pod), new Set());
    assert.deepEqual(getConfigMapNames(pod), new Set());
  });

  void test('empty names are skipped everywhere, for both kinds', () => {
    const pod = podWith({
      imagePullSecrets: [{ name: '' }],
      containers: [
        {
          name: 'c',
          env: [
            { name: 'A', valueFrom: { secretKeyRef: { name: '', key: 'k' } } },
            { name: 'B', valueFrom: { configMapKeyRef: { name: '', key: 'k' } } },
          ],
          envFrom: [{ secretRef: { name: '' } }, { configMapRef: {} }],
        },
      ],
      volumes: [
        { name: 'a', secret: {} },
        { name: 'b', configMap: { name: '' } },
        { name: 'c', azureFile: { secretName: '', shareName: 's' } },
        { name: 'd', csi: { driver: 'd', nodePublishSecretRef: {} } },
        { name: 'e', projected: { sources: [{ secret: { name: '' } }, { configMap: {} }] } },
      ],
    });
    assert.deepEqual(namesOf('secret', pod), []);
    assert.deepEqual(namesOf('configMap', pod), []);
  });

  void test('a volume with two sources set (rejected by the API server) has both visited', () => {
    const pod = podWith({
      volumes: [{ name: 'both', secret: { secretName: 'a' }, csi: { driver: 'd', nodePublishSecretRef: { name: 'b' } } }],
    });
    assert.deepEqual(
      referencesOf('secret', pod).map((r) => r.path),
      ['spec.volumes[0].secret', 'spec.volumes[0].csi.nodePublishSecretRef'],
    );
  });
});

void describe('malformed pods', () => {
  const malformed: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['a string', 'pod'],
    ['an array', [{ spec: { imagePullSecrets: [{ name: 'x' }] } }]],
    ['no spec', { metadata: { name: 'p' } }],
    ['a null spec', { spec: null }],
    ['an array spec', { spec: [] }],
    ['lists of the wrong type', { spec: { imagePullSecrets: { name: 'x' }, containers: 'c', volumes: 7, initContainers: null } }],
    [
      'null and wrongly typed containers and env items',
      {
        spec: {
          imagePullSecrets: [null, 'x', { name: 5 }],
          containers: [
            null,
            3,
            { name: 'a', env: null, envFrom: 'x' },
            {
              name: 'b',
              env: [null, { valueFrom: null }, { valueFrom: { secretKeyRef: null } }, { valueFrom: { secretKeyRef: { name: 7 } } }],
              envFrom: [null, { secretRef: 'x' }, { configMapRef: { name: ['a'] } }],
            },
          ],
          ephemeralContainers: [{ name: 'e', env: [{ valueFrom: { configMapKeyRef: 'x' } }] }],
        },
      },
    ],
    [
      'null and wrongly typed volumes',
      {
        spec: {
          volumes: [
            null,
            'v',
            { name: 'a', secret: null },
            { name: 'b', secret: { secretName: ['a'] } },
            { name: 'c', configMap: { name: { n: 1 } } },
            { name: 'd', projected: null },
            { name: 'e', projected: { sources: null } },
            { name: 'f', projected: { sources: [null, { secret: 'x' }, { configMap: 9 }] } },
            { name: 'g', cephfs: { secretRef: 'x' } },
            { name: 'h', csi: { nodePublishSecretRef: null } },
            { name: 'i', azureFile: { secretName: null } },
          ],
        },
      },
    ],
  ];

  for (const [title, value] of malformed) {
    void test(`${title}: no names, no throw`, () => {
      const pod = value as V1Pod;
      assert.deepEqual(getSecretNames(pod), new Set());
      assert.deepEqual(getConfigMapNames(pod), new Set());
      assert.deepEqual(referencesOf('secret', pod), []);
      assert.deepEqual(referencesOf('configMap', pod), []);
    });
  }

  void test('valid references among malformed fields are still found, at their real index', () => {
    const pod = {
      spec: {
        containers: [null, { name: 'c', env: [null, { valueFrom: { secretKeyRef: { name: 'ok', key: 'k' } } }] }],
        volumes: [null, { name: 'v', projected: { sources: [null, { configMap: { name: 'cm' } }] } }],
      },
    } as unknown as V1Pod;
    assert.deepEqual(referencesOf('secret', pod), [
      { name: 'ok', path: 'spec.containers[1].env[1].valueFrom.secretKeyRef', optional: false },
    ]);
    assert.deepEqual(referencesOf('configMap', pod), [
      { name: 'cm', path: 'spec.volumes[1].projected.sources[1].configMap', optional: false },
    ]);
  });

  void test('optional is true only for optional: true exactly, and only where the API has the flag', () => {
    const pod = {
      spec: {
        imagePullSecrets: [{ name: 'pull', optional: true }],
        containers: [{ name: 'c', envFrom: [{ secretRef: { name: 'maybe', optional: 'true' } }] }],
        volumes: [{ name: 'v', csi: { driver: 'd', nodePublishSecretRef: { name: 'csi', optional: true } } }],
      },
    } as unknown as V1Pod;
    assert.deepEqual(
      referencesOf('secret', pod).map((r) => r.optional),
      [false, false, false],
    );
  });
});
