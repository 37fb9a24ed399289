import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { statusError } from './status.ts';
import type { StatusError } from '../api/status-error.ts';

/** Paths served without a token, as kube serves health checks to anyone. */
const publicPaths = new Set(['/healthz', '/livez', '/readyz']);

/**
 * Checks `Authorization: Bearer <token>`; answers the 401 Status to send, or
 * undefined when the request may go on. With `allowAnonymous`, a request
 * without credentials goes on too (a wrong token is still a 401).
 */
export function checkBearer(path: string, headers: IncomingHttpHeaders, token: string, allowAnonymous = false): StatusError | undefined {
  if (publicPaths.has(path)) return undefined;
  const header = headers.authorization ?? '';
  if (header === '' && allowAnonymous) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header);
  const given = Buffer.from(m?.[1]?.trim() ?? '');
  const want = Buffer.from(token);
  if (given.length === want.length && timingSafeEqual(given, want)) return undefined;
  return statusError(401, 'Unauthorized', 'Unauthorized');
}

/** Whether an Accept header allows plain JSON (the only encoding served). */
export function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (type === '*/*' || type === 'application/*') return true;
    if (type !== 'application/json') return false;
    // meta.k8s.io/v1 Tables are served; other variants (aggregated discovery, v1beta1 Tables) are not.
    const as = params.find((p) => p.startsWith('as='));
    return as === undefined || (as === 'as=table' && params.includes('v=v1') && params.includes('g=meta.k8s.io'));
  });
}
