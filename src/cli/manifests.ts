// Manifests as kubectl reads them (YAML or JSON, several documents a file,
// `kind: List`), and the pod templates inside them.
import type { V1Pod } from '@kubernetes/client-node';
import { YAMLException, loadAll } from 'js-yaml';

/** A manifest that cannot be read as Kubernetes objects: what is wrong and where. Never quotes the file's content. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/** One pod spec found in a manifest, and the object that holds it. */
export interface PodTemplate {
  /** The holding object's kind, namespace (undefined when the manifest sets none) and name. */
  kind: string;
  namespace: string | undefined;
  name: string;
  /** Where the object is: `FILE` or `FILE (document N)`, plus `items[i]` inside Lists. */
  source: string;
  /** The path from the object to the pod's `spec` parent: '' for a Pod, `spec.template.` for a Deployment. */
  prefix: string;
  /** A pod made of the template, for the reference visitors. */
  pod: V1Pod;
}

/** Kinds that hold a pod spec, and where: the path to the object whose `spec` is a PodSpec. */
const templatePaths: Record<string, readonly string[]> = {
  Pod: [],
  PodTemplate: ['template'],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** The kinds whose pod templates are found (kom refs --help lists them). */
export const templateKinds: readonly string[] = Object.keys(templatePaths);

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses every document of `text` (YAML 1.2, so JSON too). Empty documents
 * are skipped. Throws a ManifestError naming `source` and the line and
 * column for a syntax error, without the YAML snippet (it could hold secret data).
 */
export function parseManifests(text: string, source: string): unknown[] {
  try {
    return loadAll(text).filter((doc) => doc !== null && doc !== undefined);
  } catch (err) {
    if (err instanceof YAMLException) {
      const at = err.mark === undefined ? '' : ` at line ${err.mark.line + 1}, column ${err.mark.column + 1}`;
      throw new ManifestError(`${source}: not valid YAML or JSON${at}: ${err.reason}`);
    }
    throw err;
  }
}

/**
 * The pod templates of parsed documents, in order; objects of other kinds
 * are returned in `skipped` as `Kind/name`. Throws a ManifestError for a
 * document that is not an object, an object without a kind, a List without
 * items, or a kind that holds a pod template without one.
 */
export function findPodTemplates(documents: unknown[], source: string): { templates: PodTemplate[]; skipped: string[] } {
  const templates: PodTemplate[] = [];
  const skipped: string[] = [];
  const several = documents.length > 1;
  documents.forEach((doc, i) => visit(doc, several ? `${source} (document ${i + 1})` : source, templates, skipped));
  return { templates, skipped };
}

function visit(doc: unknown, where: string, templates: PodTemplate[], skipped: string[]): void {
  if (!isFields(doc)) throw new ManifestError(`${where}: not a Kubernetes object (a ${Array.isArray(doc) ? 'list' : typeof doc} instead of a mapping)`);
  const kind = doc['kind'];
  if (typeof kind !== 'string' || kind === '') throw new ManifestError(`${where}: the object has no kind`);
  const metadata = isFields(doc['metadata']) ? doc['metadata'] : {};
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : typeof metadata['generateName'] === 'string' ? `${metadata['generateName']}*` : '(unnamed)';
  const namespace = typeof metadata['namespace'] === 'string' && metadata['namespace'] !== '' ? metadata['namespace'] : undefined;

  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(doc['items']))) {
    const items = doc['items'];
    if (!Array.isArray(items)) throw new ManifestError(`${where}: ${kind} without an items list`);
    items.forEach((item, i) => visit(item, `${where} items[${i}]`, templates, skipped));
    return;
  }
  const path = templatePaths[kind];
  if (path === undefined) {
    skipped.push(`${kind}/${name}`);
    return;
  }
  let holder: unknown = doc;
  for (const key of path) holder = isFields(holder) ? holder[key] : undefined;
  const spec = isFields(holder) ? holder['spec'] : undefined;
  if (!isFields(spec)) throw new ManifestError(`${where}: ${kind} "${name}" has no ${[...path, 'spec'].join('.')}`);
  const pod: V1Pod = { spec: spec as unknown as V1Pod['spec'] };
  if (namespace !== undefined) pod.metadata = { namespace };
  templates.push({ kind, namespace, name, source: where, prefix: path.map((key) => `${key}.`).join(''), pod });
}
