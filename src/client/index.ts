export { createClient } from './create-client.ts';
export { loadKubeConfig } from './kube-config.ts';
export type { ClientStats, KubeClient } from './create-client.ts';
export type { ClientOptions } from './client-options.ts';
export type { Client, ResourceClient } from './types.ts';
export type { ResourceRef } from './resource-ref.ts';
export { ClientClosedError, ConnectionError, CredentialsError, KubeConfigError, RequestTimeoutError, ResponseTooLargeError, WatchDecodeError, WatchStalledError } from './errors.ts';
