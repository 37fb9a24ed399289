import type { V1Pod } from '@kubernetes/client-node';

/*
 * Every field of a pod that names a Secret or a ConfigMap, the counterpart of
 * the kubelet's VisitPodSecretNames / VisitPodConfigmapNames.
 *
 * Walk order (the kubelet's): `spec.imagePullSecrets`, then the containers of
 * `spec.initContainers`, `spec.containers` and `spec.ephemeralContainers` (for
 * each container its `envFrom` first, then its `env`), then `spec.volumes`.
 *
 * Fields checked against @kubernetes/client-node 2.0.1 (core/v1):
 * - Secret: imagePullSecrets[].name; env[].valueFrom.secretKeyRef.name;
 *   envFrom[].secretRef.name; volumes: secret.secretName, azureFile.secretName
 *   (a plain string, not a reference), cephfs.secretRef, cinder.secretRef,
 *   flexVolume.secretRef, iscsi.secretRef, rbd.secretRef, scaleIO.secretRef,
 *   storageos.secretRef, csi.nodePublishSecretRef, projected.sources[].secret.
 * - ConfigMap: env[].valueFrom.configMapKeyRef.name; envFrom[].configMapRef.name;
 *   volumes: configMap.name, projected.sources[].configMap.
 * - Checked and holding none: awsElasticBlockStore, azureDisk, downwardAPI,
 *   emptyDir, ephemeral (its volumeClaimTemplate is a PVC spec), fc, flocker,
 *   gcePersistentDisk, gitRepo, glusterfs, hostPath, image, nfs,
 *   persistentVolumeClaim, photonPersistentDisk, portworxVolume, quobyte,
 *   vsphereVolume; projected clusterTrustBundle (names a cluster-scoped
 *   ClusterTrustBundle), podCertificate, serviceAccountToken, downwardAPI; env
 *   fieldRef, resourceFieldRef, fileKeyRef (names a volume). Transitive
 *   references (pod -> PVC -> PV -> secret) are not followed, as in the kubelet.
 *
 * Malformed pods never make these functions throw: a missing or non-object
 * `pod` or `spec` has no references; a field that is null, missing or of the
 * wrong type (a list that is not an array, an item that is not an object) is
 * skipped; a name that is not a non-empty string is skipped. `optional` plays
 * no part in which names are visited. A volume with more than one source set
 * (the API server rejects those) has every source visited. Errors thrown by
 * the visitor propagate to the caller.
 */

/** One reference from a pod to a Secret or ConfigMap in the pod's namespace. */
export interface PodReference {
  /** The referenced object's name; never empty. */
  readonly name: string;
  /**
   * Where the reference is, down to the object that holds the name, e.g.
   * `spec.initContainers[0].env[2].valueFrom.secretKeyRef`,
   * `spec.volumes[1].projected.sources[0].configMap`, `spec.imagePullSecrets[0]`,
   * `spec.volumes[3].csi.nodePublishSecretRef`, `spec.volumes[4].azureFile`.
   */
  readonly path: string;
  /**
   * True when the field says `optional: true` (secretKeyRef, configMapKeyRef,
   * envFrom secretRef/configMapRef, secret and configMap volumes and
   * projections). Always false for fields without that flag
   * (imagePullSecrets, azureFile, the storage drivers' secretRef, csi).
   */
  readonly optional: boolean;
}

/** Called with each reference; returning false stops the walk. */
export type PodReferenceVisitor = (ref: PodReference) => boolean;

/** Called with each referenced name; returning false stops the walk. */
export type PodNameVisitor = (name: string) => boolean;

/**
 * Calls `visitor` with the name of every Secret the pod references, in walk
 * order, skipping empty names; a name referenced twice is visited twice.
 * Returns false when the visitor returned false (the walk stops there, volumes
 * included), true when the walk completed.
 */
export function visitPodSecretNames(pod: V1Pod, visitor: PodNameVisitor): boolean {
  return walkPod(pod, secretFields, (name) => visitor(name));
}

/** As {@link visitPodSecretNames}, for ConfigMaps. */
export function visitPodConfigmapNames(pod: V1Pod, visitor: PodNameVisitor): boolean {
  return walkPod(pod, configMapFields, (name) => visitor(name));
}

/**
 * As {@link visitPodSecretNames}, but the visitor also gets the field path of
 * each reference and whether it is optional (for display, e.g. `kom refs`).
 */
export function visitPodSecretReferences(pod: V1Pod, visitor: PodReferenceVisitor): boolean {
  return walkPod(pod, secretFields, (name, optional, at) => visitor({ name, path: formatPath(at), optional }));
}

/** As {@link visitPodSecretReferences}, for ConfigMaps. */
export function visitPodConfigmapReferences(pod: V1Pod, visitor: PodReferenceVisitor): boolean {
  return walkPod(pod, configMapFields, (name, optional, at) => visitor({ name, path: formatPath(at), optional }));
}

/** The names of every Secret the pod references, each once, in walk order. */
export function getSecretNames(pod: V1Pod): Set<string> {
  const names = new Set<string>();
  walkPod(pod, secretFields, (name) => {
    names.add(name);
    return true;
  });
  return names;
}

/** The names of every ConfigMap the pod references, each once, in walk order. */
export function getConfigMapNames(pod: V1Pod): Set<string> {
  const names = new Set<string>();
  walkPod(pod, configMapFields, (name) => {
    names.add(name);
    return true;
  });
  return names;
}

// The walk: one implementation for both kinds, driven by a table of fields.

/** A volume source field holding a reference. */
interface VolumeField {
  /** The volume source key, e.g. `cephfs`. */
  readonly source: string;
  /** The reference object inside the source (`secretRef`), or '' when the source holds the name itself. */
  readonly ref: string;
  /** The key of the name in the holder: `name`, or `secretName`. */
  readonly nameKey: string;
  /** Whether the holder has an `optional` flag in the API. */
  readonly hasOptional: boolean;
  /** The path from the volume to the holder, precomputed. */
  readonly path: string;
}

interface KindFields {
  readonly imagePullSecrets: boolean;
  /** Key under env[].valueFrom, and the path from the env item to it. */
  readonly envKey: string;
  readonly envPath: string;
  /** Key under envFrom[]. */
  readonly envFromKey: string;
  /** Key under projected.sources[]. */
  readonly projectionKey: string;
  readonly volumes: readonly VolumeField[];
}

function secretRefField(source: string, ref = 'secretRef'): VolumeField {
  return { source, ref, nameKey: 'name', hasOptional: false, path: `${source}.${ref}` };
}

const secretFields: KindFields = {
  imagePullSecrets: true,
  envKey: 'secretKeyRef',
  envPath: 'valueFrom.secretKeyRef',
  envFromKey: 'secretRef',
  projectionKey: 'secret',
  volumes: [
    { source: 'secret', ref: '', nameKey: 'secretName', hasOptional: true, path: 'secret' },
    { source: 'azureFile', ref: '', nameKey: 'secretName', hasOptional: false, path: 'azureFile' },
    secretRefField('cephfs'),
    secretRefField('cinder'),
    secretRefField('flexVolume'),
    secretRefField('iscsi'),
    secretRefField('rbd'),
    secretRefField('scaleIO'),
    secretRefField('storageos'),
    secretRefField('csi', 'nodePublishSecretRef'),
  ],
};

const configMapFields: KindFields = {
  imagePullSecrets: false,
  envKey: 'configMapKeyRef',
  envPath: 'valueFrom.configMapKeyRef',
  envFromKey: 'configMapRef',
  projectionKey: 'configMap',
  volumes: [{ source: 'configMap', ref: '', nameKey: 'name', hasOptional: true, path: 'configMap' }],
};

const containerLists = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/**
 * Where the walk is: `spec.<list>[<index>]` then `.<sub>[<subIndex>]` when sub
 * is set, then `.<field>` when field is set. One mutable cursor per walk, so
 * that name-only visits build no strings; only formatPath() makes the path.
 */
interface Cursor {
  list: string;
  index: number;
  sub: string;
  subIndex: number;
  field: string;
}

type Emit = (name: string, optional: boolean, at: Readonly<Cursor>) => boolean;

function formatPath(at: Readonly<Cursor>): string {
  let path = `spec.${at.list}[${at.index}]`;
  if (at.sub !== '') path += `.${at.sub}[${at.subIndex}]`;
  if (at.field !== '') path += `.${at.field}`;
  return path;
}

type Fields = Record<string, unknown>;

function asFields(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

function fieldsAt(holder: Fields | undefined, key: string): Fields | undefined {
  return holder === undefined ? undefined : asFields(holder[key]);
}

function listAt(holder: Fields | undefined, key: string): readonly unknown[] | undefined {
  const value = holder?.[key];
  return Array.isArray(value) ? value : undefined;
}

/** Emits the holder's name when it is a non-empty string; false only when the visitor stopped. */
function emitName(holder: Fields | undefined, nameKey: string, hasOptional: boolean, at: Cursor, emit: Emit): boolean {
  if (holder === undefined) return true;
  const name = holder[nameKey];
  if (typeof name !== 'string' || name === '') return true;
  return emit(name, hasOptional && holder['optional'] === true, at) !== false;
}

function walkPod(pod: unknown, kind: KindFields, emit: Emit): boolean {
  const spec = fieldsAt(asFields(pod), 'spec');
  if (spec === undefined) return true;
  const at: Cursor = { list: '', index: 0, sub: '', subIndex: 0, field: '' };

  if (kind.imagePullSecrets) {
    const refs = listAt(spec, 'imagePullSecrets') ?? [];
    at.list = 'imagePullSecrets';
    for (let i = 0; i < refs.length; i++) {
      at.index = i;
      if (!emitName(asFields(refs[i]), 'name', false, at, emit)) return false;
    }
  }

  for (const list of containerLists) {
    const containers = listAt(spec, list) ?? [];
    at.list = list;
    for (let i = 0; i < containers.length; i++) {
      at.index = i;
      if (!walkContainer(asFields(containers[i]), kind, at, emit)) return false;
    }
  }

  const volumes = listAt(spec, 'volumes') ?? [];
  at.list = 'volumes';
  for (let i = 0; i < volumes.length; i++) {
    at.index = i;
    if (!walkVolume(asFields(volumes[i]), kind, at, emit)) return false;
  }
  return true;
}

function walkContainer(container: Fields | undefined, kind: KindFields, at: Cursor, emit: Emit): boolean {
  const envFrom = listAt(container, 'envFrom') ?? [];
  at.sub = 'envFrom';
  at.field = kind.envFromKey;
  for (let j = 0; j < envFrom.length; j++) {
    at.subIndex = j;
    if (!emitName(fieldsAt(asFields(envFrom[j]), kind.envFromKey), 'name', true, at, emit)) return false;
  }

  const env = listAt(container, 'env') ?? [];
  at.sub = 'env';
  at.field = kind.envPath;
  for (let j = 0; j < env.length; j++) {
    at.subIndex = j;
    const valueFrom = fieldsAt(asFields(env[j]), 'valueFrom');
    if (!emitName(fieldsAt(valueFrom, kind.envKey), 'name', true, at, emit)) return false;
  }
  return true;
}

function walkVolume(volume: Fields | undefined, kind: KindFields, at: Cursor, emit: Emit): boolean {
  if (volume === undefined) return true;
  at.sub = '';
  for (const field of kind.volumes) {
    const source = asFields(volume[field.source]);
    const holder = field.ref === '' ? source : fieldsAt(source, field.ref);
    at.field = field.path;
    if (!emitName(holder, field.nameKey, field.hasOptional, at, emit)) return false;
  }

  const sources = listAt(fieldsAt(volume, 'projected'), 'sources') ?? [];
  at.sub = 'projected.sources';
  at.field = kind.projectionKey;
  for (let j = 0; j < sources.length; j++) {
    at.subIndex = j;
    if (!emitName(fieldsAt(asFields(sources[j]), kind.projectionKey), 'name', true, at, emit)) return false;
  }
  return true;
}
