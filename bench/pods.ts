import type { V1Pod } from '@kubernetes/client-node';
import { benchNamespace, secretName } from './target.ts';

export const refsPerPod = 10;

/**
 * Pods of `refsPerPod` secret volumes each, covering secrets [0, count) once
 * (the last pod takes what is left); `prefix` keeps names and UIDs apart.
 */
export function benchPods(count: number, prefix: string): V1Pod[] {
  const pods: V1Pod[] = [];
  for (let first = 0, p = 0; first < count; first += refsPerPod, p++) {
    const names = Array.from({ length: Math.min(refsPerPod, count - first) }, (_, j) => secretName(first + j));
    pods.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: benchNamespace, name: `${prefix}-${p}`, uid: `${prefix}-uid-${p}` },
      spec: {
        containers: [{ name: 'app', image: 'registry.example/app:1' }],
        volumes: names.map((secret, j) => ({ name: `secret-${j}`, secret: { secretName: secret } })),
      },
    });
  }
  return pods;
}
