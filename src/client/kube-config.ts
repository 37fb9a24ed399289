import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { User } from '@kubernetes/client-node';
import { load } from 'js-yaml';

/**
 * The files client-node's loadFromDefault reads: every file of $KUBECONFIG
 * (merged, the first one's current context), else ~/.kube/config when it
 * exists, else none (the in-cluster config).
 */
function defaultFiles(): string[] {
  const variable = process.env['KUBECONFIG'];
  if (variable !== undefined && variable !== '') return variable.split(delimiter).filter((file) => file !== '');
  const home = join(homedir(), '.kube', 'config');
  return existsSync(home) ? [home] : [];
}

/** The users of a kubeconfig file with a token file, by name, the path resolved against the file's directory. */
function tokenFilesIn(file: string): Map<string, string> {
  const found = new Map<string, string>();
  let parsed: unknown;
  try {
    parsed = load(readFileSync(file, 'utf8'));
  } catch {
    // client-node read the file a moment ago; whatever fails now leaves its result as it is.
    return found;
  }
  const users = (parsed as { users?: unknown } | null)?.users;
  if (!Array.isArray(users)) return found;
  for (const entry of users as unknown[]) {
    const { name, user } = (entry ?? {}) as { name?: unknown; user?: Record<string, unknown> | null };
    if (typeof name !== 'string' || typeof user !== 'object' || user === null) continue;
    const path = user['tokenFile'] ?? user['token-file'];
    if (typeof path !== 'string' || path === '' || found.has(name)) continue;
    found.set(name, isAbsolute(path) ? path : join(dirname(file), path));
  }
  return found;
}

/**
 * The KubeConfig kubectl would use, loaded by client-node: `file` when
 * given, otherwise `$KUBECONFIG` (its files merged), `~/.kube/config`, then
 * the in-cluster service account. Unlike client-node alone, it keeps each
 * user's token file: client-go's `tokenFile` (which client-node's loader
 * drops, so no token is sent) and `token-file` (which it reads once, so a
 * rotated token is never seen) become the user's `tokenFile`, resolved
 * against the kubeconfig's directory as client-go does, and createClient
 * reads the file again every minute (a user's `token` is sent only while
 * the file cannot be read). Throws client-node's errors (a missing or
 * malformed file).
 */
export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file === undefined) kc.loadFromDefault();
  else kc.loadFromFile(file);
  const tokenFiles = new Map<string, string>();
  for (const path of file === undefined ? defaultFiles() : [file]) {
    for (const [name, tokenFile] of tokenFilesIn(path)) if (!tokenFiles.has(name)) tokenFiles.set(name, tokenFile);
  }
  if (tokenFiles.size > 0) {
    kc.users = kc.users.map((user): User => {
      const tokenFile = tokenFiles.get(user.name);
      return tokenFile === undefined ? user : ({ ...user, tokenFile } as User);
    });
  }
  return kc;
}
