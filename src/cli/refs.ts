import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { visitPodConfigmapReferences, visitPodSecretReferences } from '../kubelet/pod-references.ts';
import { CliError, type Io } from './io.ts';
import { contextNamespace, kubeConfigNamespace, loadKubeConfig } from './kubeconfig.ts';
import { findPodTemplates, parseManifests, type PodTemplate } from './manifests.ts';
import { checkReferences, type RefRow } from './refs-check.ts';
import { renderTable } from './stats.ts';

const usage = `Usage: kom refs [options] [FILE... | -]

Prints every Secret and ConfigMap that pods and pod templates reference, with
the field that references it and whether the reference is optional. Reads
YAML or JSON manifests (several documents a file, kind: List too) from the
FILEs, or from standard input when none is given or FILE is -.

Objects with pod templates: Pod, PodTemplate, Deployment, StatefulSet,
DaemonSet, ReplicaSet, ReplicationController, Job, CronJob. Other kinds are
skipped (listed on stderr).

Objects whose manifest sets no namespace go where kubectl would put them:
into --namespace when given, else into the namespace of the kubeconfig's
current context, else into "default". Without --check the kubeconfig is read
only for that namespace, and having none is not an error.

Options:
  --check                GET each referenced object from the API server and say
                         whether it exists (needs a kubeconfig)
  --kubeconfig PATH      the kubeconfig (default: $KUBECONFIG, ~/.kube/config,
                         then in-cluster, as kubectl)
  -n, --namespace NS     namespace of objects whose manifest sets none (default:
                         the current context's namespace, else "default")
  -o, --output FORMAT    table (default) or json
  -h, --help             this help

Exit codes: 0 done (with --check: every required reference exists); 1 failed
(unreadable file, malformed manifest, unreachable API server, an API error);
2 bad usage; 3 with --check, a required (non-optional) reference is missing.`;

interface ObjectRefs {
  kind: string;
  namespace: string;
  name: string;
  source: string;
  references: RefRow[];
}

const namespacePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function isNamespaceName(name: string): boolean {
  return namespacePattern.test(name) && name.length <= 63;
}

/** The namespace for objects that set none when -n is not given: the kubeconfig context's, else "default". */
function namespaceOfContext(namespace: string | undefined): string {
  if (namespace === undefined) return 'default';
  if (!isNamespaceName(namespace)) throw new Error(`the kubeconfig's current context has the namespace ${JSON.stringify(namespace)}, which is not a namespace name (give -n NAMESPACE)`);
  return namespace;
}

function referencesOf(template: PodTemplate, namespace: string): RefRow[] {
  const rows: RefRow[] = [];
  const field = (path: string): string => `${template.prefix}${path}`;
  visitPodSecretReferences(template.pod, (ref) => {
    rows.push({ kind: 'Secret', namespace, name: ref.name, field: field(ref.path), optional: ref.optional });
    return true;
  });
  visitPodConfigmapReferences(template.pod, (ref) => {
    rows.push({ kind: 'ConfigMap', namespace, name: ref.name, field: field(ref.path), optional: ref.optional });
    return true;
  });
  return rows;
}

async function readInput(file: string): Promise<{ text: string; source: string }> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
    return { text: Buffer.concat(chunks).toString('utf8'), source: '<stdin>' };
  }
  try {
    return { text: await readFile(file, 'utf8'), source: file };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new Error(`cannot read ${file}: ${why}`, { cause: err });
  }
}

function statusText(row: RefRow): string {
  if (row.status === undefined) return '';
  if (row.status === 'missing') return row.optional ? 'missing (optional)' : 'MISSING';
  if (row.status === 'error') return `error: ${row.error ?? ''}`;
  return 'found';
}

/** `kom refs [FILE...|-]`: the secrets and configmaps manifests reference; answers the exit code. */
export async function runRefs(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      check: { type: 'boolean' },
      kubeconfig: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help === true) {
    io.out(usage);
    return 0;
  }
  const output = values.output ?? 'table';
  if (output !== 'table' && output !== 'json') throw new CliError(`--output must be table or json, got ${JSON.stringify(output)}`);
  if (values.namespace !== undefined && !isNamespaceName(values.namespace)) throw new CliError(`--namespace must be a namespace name, got ${JSON.stringify(values.namespace)}`);
  const files = positionals.length === 0 ? ['-'] : positionals;
  if (files.includes('-') && process.stdin.isTTY) throw new CliError('no manifests: give a FILE, or pipe manifests to standard input');
  const kc = values.check === true ? loadKubeConfig(values.kubeconfig) : undefined;
  const defaultNamespace = values.namespace ?? namespaceOfContext(kc === undefined ? kubeConfigNamespace(values.kubeconfig) : contextNamespace(kc));

  const objects: ObjectRefs[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    const { text, source } = await readInput(file);
    const found = findPodTemplates(parseManifests(text, source), source);
    skipped.push(...found.skipped);
    for (const template of found.templates) {
      const namespace = template.namespace ?? defaultNamespace;
      objects.push({ kind: template.kind, namespace, name: template.name, source: template.source, references: referencesOf(template, namespace) });
    }
  }
  if (skipped.length > 0) io.err(`kom refs: skipped ${skipped.length} object${skipped.length === 1 ? '' : 's'} without a pod template: ${skipped.join(', ')}`);

  const rows = objects.flatMap((o) => o.references);
  if (kc !== undefined) await checkReferences(rows, kc);

  if (output === 'json') {
    io.out(JSON.stringify({ objects }, null, 2));
  } else if (objects.length === 0) {
    io.err('kom refs: no pods or pod templates found');
  } else {
    const header = ['OBJECT', 'KIND', 'NAME', 'FIELD', 'OPTIONAL'];
    if (values.check === true) header.push('STATUS');
    const table = objects.flatMap((o) => {
      const object = `${o.kind}/${o.namespace}/${o.name}`;
      if (o.references.length === 0) return [[object, '-', '-', '(no references)', '-']];
      return o.references.map((r) => {
        const cells = [object, r.kind, r.name, r.field, r.optional ? 'yes' : 'no'];
        if (r.status !== undefined) cells.push(statusText(r));
        return cells;
      });
    });
    io.out(renderTable(header, table));
  }

  if (values.check !== true) return 0;
  const errors = rows.filter((r) => r.status === 'error').length;
  const missing = rows.filter((r) => r.status === 'missing' && !r.optional).length;
  const optionalMissing = rows.filter((r) => r.status === 'missing' && r.optional).length;
  io.err(`kom refs: ${rows.length} reference${rows.length === 1 ? '' : 's'} checked: ${missing} required missing, ${optionalMissing} optional missing, ${errors} failed`);
  if (errors > 0) return 1;
  return missing > 0 ? 3 : 0;
}
