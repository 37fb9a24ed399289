// Small builders shared by the corpus files.
import type { Step } from '../case.ts';

export const cms = '/api/v1/namespaces/{ns}/configmaps';

export function configMap(name: string, data: Record<string, string> = { k: 'v' }, labels?: Record<string, string>): unknown {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels === undefined ? {} : { labels }) }, data };
}

/** A set-up create of a ConfigMap (compared only through what follows). */
export function seed(name: string, labels?: Record<string, string>, data?: Record<string, string>): Step {
  return { name: `seed-${name}`, method: 'POST', path: cms, body: configMap(name, data, labels), setup: true, save: { [`rv_${name.replace(/\W/g, '_')}`]: 'metadata.resourceVersion', [`uid_${name.replace(/\W/g, '_')}`]: 'metadata.uid' } };
}

export function get(name: string, path: string, headers?: Record<string, string>): Step {
  return { name, method: 'GET', path, ...(headers === undefined ? {} : { headers }) };
}

/**
 * A consistent list (no resourceVersion): kube-apiserver answers it once its
 * watch cache has caught up with etcd, so that a following `resourceVersion=0`
 * read (served from that cache, possibly stale) sees the writes before it.
 */
export function sync(n: number): Step {
  return { name: `sync-${n}`, method: 'GET', path: cms, setup: true };
}
