import { KubeConfig } from '@kubernetes/client-node';

/** What a client needs to reach the server. */
export interface ClientAccess {
  url: string;
  token: string;
  /** PEM of the CA that signed the server certificate (TLS only). */
  caCert: string | undefined;
  /** Name used for the cluster, user and context entries. */
  name: string;
}

/** A KubeConfig whose current context points at the server with its CA and bearer token. */
export function buildKubeConfig(access: ClientAccess): KubeConfig {
  const kc = new KubeConfig();
  const cluster: { name: string; server: string; caData?: string; skipTLSVerify: boolean } = {
    name: access.name,
    server: access.url,
    // client-node refuses http:// servers unless skipTLSVerify is set; there is no TLS to verify then.
    skipTLSVerify: access.caCert === undefined,
  };
  if (access.caCert !== undefined) cluster.caData = Buffer.from(access.caCert).toString('base64');
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: access.name, token: access.token }],
    contexts: [{ name: access.name, cluster: access.name, user: access.name, namespace: 'default' }],
    currentContext: access.name,
  });
  return kc;
}

/** The same as a kubeconfig file (YAML). */
export function kubeconfigYaml(access: ClientAccess): string {
  const ca = access.caCert === undefined
    ? '\n    insecure-skip-tls-verify: true'
    : `\n    certificate-authority-data: ${Buffer.from(access.caCert).toString('base64')}`;
  return `apiVersion: v1
kind: Config
clusters:
- name: ${access.name}
  cluster:
    server: ${access.url}${ca}
users:
- name: ${access.name}
  user:
    token: ${access.token}
contexts:
- name: ${access.name}
  context:
    cluster: ${access.name}
    user: ${access.name}
    namespace: default
current-context: ${access.name}
preferences: {}
`;
}
