// Resources a caller registers (ApiServerOptions.resources), served as
// kube-apiserver serves a CustomResourceDefinition whose schema is
// `type: object` with `x-kubernetes-preserve-unknown-fields: true`: any field
// is kept, metadata is checked as ObjectMeta, kind and apiVersion are
// required on writes, field selectors are metadata.name and
// metadata.namespace only, metadata.generation counts every change outside
// metadata, and strategic merge patches are refused (415).
import { createHash } from 'node:crypto';
import { describeValue } from '../util/object-names.ts';
import { lookupResource, qualifiedResource, servedGroups } from './resources.ts';
import type { KObject, ResourceInfo } from './resources.ts';
import { definition } from './schemas/index.ts';
import type { SchemaNode } from './schemas/index.ts';
import { badRequest, invalid } from './status.ts';

/** A resource to serve besides the built-in ones, as a CRD would declare it. */
export interface ExtraResource {
  /** API group, a DNS subdomain (`example.com`, `networking.k8s.io`); not '' nor a group the server serves itself. */
  group: string;
  /** Version served, a DNS-1035 label (`v1`, `v1beta1`). */
  version: string;
  /** Kind of its objects (`Widget`). */
  kind: string;
  /** Plural name in paths (`widgets`), a DNS-1035 label. */
  plural: string;
  namespaced: boolean;
  /** Defaults to the kind in lower case. */
  singular?: string;
  shortNames?: string[];
}

const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function isDns1035Label(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 63 && dns1035Label.test(value);
}

function isDnsSubdomain(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value.length <= 253 && value.split('.').every((l) => l.length <= 63 && dnsLabel.test(l));
}

function refused(index: number, field: string, value: unknown, rule: string): TypeError {
  return new TypeError(`startApiServer: resources[${index}].${field} must be ${rule}, got ${describeValue(value)}`);
}

// CRD verbs, in the order kube-apiserver lists them for custom resources.
const customVerbs = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];

function toInfo(extra: ExtraResource, index: number): ResourceInfo {
  if (typeof extra !== 'object' || extra === null) throw new TypeError(`startApiServer: resources[${index}] must be an object, got ${describeValue(extra)}`);
  const { group, version, kind, plural, namespaced } = extra;
  if (!isDnsSubdomain(group)) throw refused(index, 'group', group, 'a DNS subdomain such as "example.com"');
  if (!isDns1035Label(version)) throw refused(index, 'version', version, 'a DNS-1035 label such as "v1"');
  if (typeof kind !== 'string' || kind.length > 63 || !dns1035Label.test(kind.toLowerCase())) {
    throw refused(index, 'kind', kind, 'a kind such as "Widget" (a DNS-1035 label in any case)');
  }
  if (!isDns1035Label(plural)) throw refused(index, 'plural', plural, 'a lowercase plural such as "widgets" (a DNS-1035 label)');
  if (typeof namespaced !== 'boolean') throw refused(index, 'namespaced', namespaced, 'a boolean');
  const singular = extra.singular ?? kind.toLowerCase();
  if (!isDns1035Label(singular)) throw refused(index, 'singular', singular, 'a lowercase DNS-1035 label');
  const shortNames = extra.shortNames ?? [];
  if (!Array.isArray(shortNames)) throw refused(index, 'shortNames', shortNames, 'an array of DNS-1035 labels');
  shortNames.forEach((s, i) => {
    if (!isDns1035Label(s)) throw refused(index, `shortNames[${i}]`, s, 'a DNS-1035 label');
  });
  return {
    group, version, name: plural, singularName: singular, kind, listKind: `${kind}List`, namespaced,
    shortNames: [...shortNames], verbs: customVerbs, fields: {}, customFieldLabels: true, returnsDeletedObject: false,
    subresources: [], tracksGeneration: true, stored: true, custom: true,
  };
}

/**
 * The ResourceInfo of each extra resource, checked: a TypeError names the
 * first field that is not valid, a group the server serves itself (or the
 * core group), and two resources with the same group and plural or the
 * same group, version and kind.
 */
export function extraResourceInfos(extras: unknown): ResourceInfo[] {
  if (extras === undefined) return [];
  if (!Array.isArray(extras)) throw new TypeError(`startApiServer: resources must be an array, got ${describeValue(extras)}`);
  const builtinGroups = new Set(servedGroups().map((g) => g.name));
  const infos: ResourceInfo[] = [];
  const seen = new Set<string>();
  (extras as ExtraResource[]).forEach((extra, index) => {
    const info = toInfo(extra, index);
    if (builtinGroups.has(info.group) || lookupResource(info.group, info.version, info.name) !== undefined) {
      throw refused(index, 'group', info.group, 'a group the server does not serve itself');
    }
    for (const key of [`resource ${qualifiedResource(info)}`, `kind ${info.group}/${info.version}/${info.kind}`]) {
      if (seen.has(key)) throw new TypeError(`startApiServer: resources[${index}] repeats the ${key}`);
      seen.add(key);
    }
    infos.push(info);
  });
  return infos;
}

/** kube's discovery `storageVersionHash` of a custom resource: 8 bytes of the SHA-256 of `group/version/kind`, base64. */
export function storageVersionHash(info: ResourceInfo): string {
  return createHash('sha256').update(`${info.group}/${info.version}/${info.kind}`).digest().subarray(0, 8).toString('base64');
}

/** A schema node of any JSON: objects tracked key by key (server-side apply's deduced type), anything else whole. */
const anyValue: SchemaNode = (() => {
  const node = { type: 'object', intOrString: false, preserveUnknownFields: true, groupVersionKinds: [] } as { -readonly [K in keyof SchemaNode]: SchemaNode[K] };
  node.additionalProperties = node;
  return node;
})();

const text: SchemaNode = { type: 'string', intOrString: false, preserveUnknownFields: false, groupVersionKinds: [] };

/**
 * The schema of a custom resource without one: apiVersion, kind and the
 * ObjectMeta `metadata` declared (decoded and checked as kube does), every
 * other field kept as it is, and tracked by the field manager key by key
 * for objects and whole for lists and scalars.
 */
export const customResourceSchema: SchemaNode = {
  type: 'object',
  properties: new Map<string, SchemaNode>([
    ['apiVersion', text],
    ['kind', text],
    ['metadata', definition('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta') ?? anyValue],
  ]),
  additionalProperties: anyValue,
  intOrString: false,
  preserveUnknownFields: true,
  groupVersionKinds: [],
};

/**
 * kube's decoding checks of a custom resource's body: a kind is required
 * (400, as its decoder answers), an apiVersion other than the served one is
 * a 400, another kind a 422 on `kind`.
 */
export function checkCustomKind(info: ResourceInfo, body: Record<string, unknown>): void {
  const kind = body['kind'];
  const apiVersion = body['apiVersion'];
  const expected = `${info.group}/${info.version}`;
  if (typeof kind !== 'string' || kind === '') throw badRequest(`the object provided is unrecognized (must be of type ${info.kind}): Object 'Kind' is missing in the request body`);
  if (apiVersion !== expected) throw badRequest(`the API version in the data (${typeof apiVersion === 'string' ? apiVersion : ''}) does not match the expected API version (${expected})`);
  if (kind !== info.kind) {
    const name = (body['metadata'] as { name?: unknown } | undefined)?.name;
    throw invalid(kind, typeof name === 'string' ? name : '', [{ field: 'kind', type: 'Invalid', value: kind, detail: `must be ${info.kind}` }], info.group);
  }
}

/** Whether an update changes a custom resource outside its metadata (kube then bumps metadata.generation). */
export function changesBeyondMetadata(old: KObject, obj: KObject, same: (a: unknown, b: unknown) => boolean): boolean {
  const withoutMetadata = (o: KObject): Record<string, unknown> => {
    const copy: Record<string, unknown> = { ...o };
    delete copy['metadata'];
    return copy;
  };
  return !same(withoutMetadata(old), withoutMetadata(obj));
}
