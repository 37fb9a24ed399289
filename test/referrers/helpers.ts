// An Ingress-like referrer for the generic reference manager's tests: it
// references the TLS Secrets its spec names, in its own namespace.
import type { ReferrerType } from '../../src/index.ts';

export interface Ingress {
  metadata: { namespace: string; name: string; uid: string };
  spec: { tls?: { secretName?: string }[] };
}

export function ingress(namespace: string, name: string, uid: string, secretNames: string[]): Ingress {
  return { metadata: { namespace, name, uid }, spec: { tls: secretNames.map((secretName) => ({ secretName })) } };
}

/** Ingresses keyed by UID, referencing their TLS secrets. */
export const ingresses: ReferrerType<Ingress> = {
  key: (i) => i.metadata.uid,
  references: (i) => (i.spec.tls ?? []).flatMap((t) => (t.secretName === undefined ? [] : [{ namespace: i.metadata.namespace, name: t.secretName }])),
};
