/** The health endpoints kube-apiserver serves, each with its `/ping` check. */
const endpoints = new Set(['/healthz', '/livez', '/readyz']);

/**
 * The plain-text body kube-apiserver answers on a health path, or undefined
 * for any other path: `ok`, or with `?verbose` one `[+]<check> ok` line per
 * check and `<endpoint> check passed` (the embedded server has one check, ping).
 */
export function healthText(path: string, query: URLSearchParams): string | undefined {
  if (endpoints.has(path)) {
    if (!query.has('verbose')) return 'ok';
    return `[+]ping ok\n${path.slice(1)} check passed\n`;
  }
  const slash = path.lastIndexOf('/');
  if (slash > 0 && endpoints.has(path.slice(0, slash)) && path.slice(slash + 1) === 'ping') return 'ok';
  return undefined;
}
