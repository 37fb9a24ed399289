import type { V1ConfigMap, V1Pod, V1Secret } from '@kubernetes/client-node';

export const demoNamespace = 'demo';
export const demoNode = 'demo-node';
/** Pods per app: they share the app's secrets and configmaps. */
const replicas = 5;

/** The objects of one app and of the whole cluster, by kind. */
export interface DemoObjects {
  secrets: V1Secret[];
  configMaps: V1ConfigMap[];
  pods: V1Pod[];
}

/**
 * A realistic set: `podCount` pods in apps of five replicas, each pod naming
 * secrets and configmaps in every way a pod can (image pull secret, init and
 * app container env, envFrom, secret and configMap volumes, a projected
 * volume, a CSI volume's nodePublishSecretRef), plus a shared immutable CA
 * bundle and a shared cluster-info configmap.
 */
export function demoObjects(podCount: number): DemoObjects {
  const apps = Math.ceil(podCount / replicas);
  const secrets: V1Secret[] = [secret('ca-bundle', { 'ca.crt': 'demo-ca' }, true)];
  const configMaps: V1ConfigMap[] = [configMap('cluster-info', { region: 'eu-west' })];
  for (let a = 0; a < apps; a++) {
    const app = appName(a);
    for (const suffix of ['pull', 'db', 'env', 'tls', 'csi']) secrets.push(secret(`${app}-${suffix}`, { version: '0' }));
    for (const suffix of ['env', 'config']) configMaps.push(configMap(`${app}-${suffix}`, { version: '0' }));
  }
  const pods = Array.from({ length: podCount }, (_, i) => pod(appName(Math.floor(i / replicas)), i));
  return { secrets, configMaps, pods };
}

function appName(index: number): string {
  return `app-${String(index).padStart(3, '0')}`;
}

function secret(name: string, stringData: Record<string, string>, immutable = false): V1Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: demoNamespace }, stringData, ...(immutable && { immutable }) };
}

function configMap(name: string, data: Record<string, string>): V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: demoNamespace }, data };
}

function pod(app: string, index: number): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${app}-${index}`, namespace: demoNamespace, labels: { app } },
    spec: {
      nodeName: demoNode,
      imagePullSecrets: [{ name: `${app}-pull` }],
      initContainers: [
        { name: 'migrate', image: 'demo/migrate', env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: `${app}-db`, key: 'version' } } }] },
      ],
      containers: [
        {
          name: 'app',
          image: 'demo/app',
          envFrom: [{ configMapRef: { name: `${app}-env` } }, { secretRef: { name: `${app}-env`, optional: true } }],
          env: [{ name: 'REGION', valueFrom: { configMapKeyRef: { name: 'cluster-info', key: 'region' } } }],
        },
      ],
      volumes: [
        { name: 'tls', secret: { secretName: `${app}-tls` } },
        { name: 'config', configMap: { name: `${app}-config` } },
        { name: 'trust', projected: { sources: [{ secret: { name: 'ca-bundle' } }, { configMap: { name: 'cluster-info' } }] } },
        { name: 'vault', csi: { driver: 'secrets-store.csi.k8s.io', nodePublishSecretRef: { name: `${app}-csi` } } },
      ],
    },
  };
}
