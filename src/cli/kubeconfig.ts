import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig as loadWithTokenFiles } from '../client/kube-config.ts';

/**
 * The KubeConfig kubectl would use: `path` when given (`--kubeconfig`),
 * otherwise `$KUBECONFIG` (its files merged), `~/.kube/config`, then the
 * in-cluster service account (client-node's loadFromDefault). Throws an Error
 * naming the file (never its content) when it cannot be read or parsed, and
 * when the result has no current cluster. Used by `kom agent` and `kom refs --check`.
 */
export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = readKubeConfig(path);
  const cluster = kc.getCurrentCluster();
  if (cluster === null) {
    throw new Error(`the kubeconfig ${sourceOf(path)} has no current cluster (current-context ${JSON.stringify(kc.getCurrentContext())})`);
  }
  return kc;
}

/**
 * The namespace kubectl gives objects that set none, for `kom refs` without
 * --check: the current context's namespace in the kubeconfig `path` (or
 * kubectl's default one, see loadKubeConfig), else undefined ("default").
 * No kubeconfig at all is not an error unless `path` names one; an
 * unreadable or malformed one is, as it is for kubectl.
 */
export function kubeConfigNamespace(path: string | undefined): string | undefined {
  let kc: KubeConfig;
  try {
    kc = readKubeConfig(path);
  } catch (err) {
    if (path === undefined && (err as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') return undefined;
    throw err;
  }
  return contextNamespace(kc);
}

/** The namespace of the KubeConfig's current context, or undefined when it sets none. */
export function contextNamespace(kc: KubeConfig): string | undefined {
  const namespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
  return typeof namespace === 'string' && namespace !== '' ? namespace : undefined;
}

function readKubeConfig(path: string | undefined): KubeConfig {
  try {
    // The client's loader keeps users' tokenFile (client-go's field), which
    // client-node's drops, so rotated service-account tokens are re-read.
    return loadWithTokenFiles(path);
  } catch (err) {
    throw new Error(`cannot load the kubeconfig ${sourceOf(path)}: ${describe(err)}`, { cause: err });
  }
}

function sourceOf(path: string | undefined): string {
  return path ?? (process.env['KUBECONFIG'] ? `$KUBECONFIG (${process.env['KUBECONFIG']})` : 'the default kubeconfig');
}

/** The server URL of the KubeConfig's current cluster, for messages. */
export function serverOf(kc: KubeConfig): string {
  return kc.getCurrentCluster()?.server ?? '(no cluster)';
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such file';
  if (e.code === 'EACCES') return 'permission denied';
  if (e.code === 'EISDIR') return 'is a directory';
  // YAML errors carry the line and column; their text is the file's structure, not its secrets.
  const message = err instanceof Error ? err.message.split('\n')[0] ?? err.message : String(err);
  return message;
}
