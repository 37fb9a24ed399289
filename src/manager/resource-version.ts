/**
 * Kubernetes defines resourceVersions as opaque strings. kube-apiserver's are
 * etcd revisions (decimal integers) and can be ordered; any other server's may
 * not. Versions are compared as integers only when both are decimal
 * integers; otherwise they cannot be ordered and the newest arrival wins, as
 * in client-go's stores.
 */
const decimal = /^[0-9]{1,40}$/;

/** Negative, zero or positive when both are decimal integers; undefined when they cannot be ordered. */
export function compareResourceVersions(a: string | undefined, b: string | undefined): number | undefined {
  if (a === undefined || b === undefined || !decimal.test(a) || !decimal.test(b)) return undefined;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Whether `candidate` is known to be older than `held`; versions that cannot be ordered never are. */
export function isOlderResourceVersion(candidate: string | undefined, held: string | undefined): boolean {
  const order = compareResourceVersions(candidate, held);
  return order !== undefined && order < 0;
}
