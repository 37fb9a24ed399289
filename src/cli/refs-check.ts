import type { KubeConfig } from '@kubernetes/client-node';
import { createClient } from '../client/index.ts';
import { ConnectionError, RequestTimeoutError } from '../client/errors.ts';
import { isNotFound } from '../api/status-error.ts';
import { serverOf } from './kubeconfig.ts';

/** found: the object exists; missing: the API server answered NotFound; error: any other API error. */
export type CheckStatus = 'found' | 'missing' | 'error';

/** One reference of one object, as printed. */
export interface RefRow {
  kind: 'Secret' | 'ConfigMap';
  namespace: string;
  name: string;
  field: string;
  optional: boolean;
  status?: CheckStatus;
  error?: string;
}

/** How many GETs run at once. */
const concurrency = 16;

/**
 * Sets `status` (and `error`) on every row: one GET per distinct object, in
 * the row's namespace, with the kubeconfig `kc` (see loadKubeConfig). Throws
 * when the API server cannot be reached, so that an unreachable server is
 * one clear failure rather than a table of errors.
 * The objects read are dropped at once: only whether they exist is kept.
 */
export async function checkReferences(rows: RefRow[], kc: KubeConfig): Promise<void> {
  const client = createClient(kc, { requestTimeoutMs: 10_000, maxRetries: 1 });
  const resources = { Secret: client.resource('secrets'), ConfigMap: client.resource('configmaps') };
  const byKey = new Map<string, RefRow[]>();
  for (const row of rows) {
    const key = `${row.kind}/${row.namespace}/${row.name}`;
    byKey.set(key, [...(byKey.get(key) ?? []), row]);
  }
  const pending = [...byKey.values()];
  const worker = async (): Promise<void> => {
    for (let group = pending.shift(); group !== undefined; group = pending.shift()) {
      const [first] = group;
      if (first === undefined) continue;
      let status: CheckStatus = 'found';
      let error: string | undefined;
      try {
        await resources[first.kind].getObject(first.namespace, first.name, {});
      } catch (err) {
        if (err instanceof ConnectionError || err instanceof RequestTimeoutError) {
          throw new Error(`cannot reach the API server ${serverOf(kc)}: ${err.message}`, { cause: err });
        }
        if (isNotFound(err)) status = 'missing';
        else {
          status = 'error';
          error = err instanceof Error ? err.message : String(err);
        }
      }
      for (const row of group) {
        row.status = status;
        if (error !== undefined) row.error = error;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, worker));
  } finally {
    await client.close();
  }
}
