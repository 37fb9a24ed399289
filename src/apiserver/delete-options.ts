import { optionsInvalid } from './dry-run.ts';
import type { DeleteOptions } from './registry.ts';
import { badRequest } from './status.ts';
import type { FieldError } from './status.ts';

const propagationPolicies = ['Foreground', 'Background', 'Orphan'];
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Go's strconv.ParseInt(text, 10, 64), with its error as kube-apiserver answers it (400). */
function parseInt64(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
  const value = BigInt(text);
  if (value > INT64_MAX || value < INT64_MIN) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(text)}: value out of range`);
  return Number(value);
}

/**
 * The DeleteOptions of a DELETE sent without a body, from its query as
 * kube-apiserver reads them: the first value of each parameter;
 * `orphanDependents` is false only for `false` or `0` (any case), any other
 * value (an empty one too) sets it.
 */
export function queryDeleteOptions(q: URLSearchParams): DeleteOptions {
  const options: DeleteOptions = {};
  const grace = q.get('gracePeriodSeconds');
  if (grace !== null) options.gracePeriodSeconds = parseInt64(grace);
  const policy = q.get('propagationPolicy');
  if (policy !== null) options.propagationPolicy = policy;
  const orphan = q.get('orphanDependents');
  if (orphan !== null) options.orphanDependents = !['false', '0'].includes(orphan.toLowerCase());
  const dryRun = q.getAll('dryRun');
  if (dryRun.length > 0) options.dryRun = dryRun;
  return options;
}

function typeError(field: string, expected: string): Error {
  return badRequest(`the DeleteOptions body could not be decoded: ${field} must be ${expected}`);
}

/** A string field of the body, null and absent alike meaning unset. */
function optionalString(body: Record<string, unknown>, field: string, path: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw typeError(path, 'a string');
  return v;
}

/**
 * A decoded DeleteOptions body, with each field it reads checked for its JSON
 * type (400 naming the field otherwise); null means unset, as it does for
 * kube's decoder.
 */
export function bodyDeleteOptions(body: unknown): DeleteOptions {
  if (!isRecord(body)) throw badRequest('DeleteOptions must be a JSON object');
  const options: DeleteOptions = {};
  const grace = body['gracePeriodSeconds'];
  if (grace !== undefined && grace !== null) {
    if (typeof grace !== 'number' || !Number.isSafeInteger(grace)) throw typeError('gracePeriodSeconds', 'an integer');
    options.gracePeriodSeconds = grace;
  }
  const policy = optionalString(body, 'propagationPolicy', 'propagationPolicy');
  if (policy !== undefined) options.propagationPolicy = policy;
  const orphan = body['orphanDependents'];
  if (orphan !== undefined && orphan !== null) {
    if (typeof orphan !== 'boolean') throw typeError('orphanDependents', 'a boolean');
    options.orphanDependents = orphan;
  }
  const pre = body['preconditions'];
  if (pre !== undefined && pre !== null) {
    if (!isRecord(pre)) throw typeError('preconditions', 'an object');
    const uid = optionalString(pre, 'uid', 'preconditions.uid');
    const resourceVersion = optionalString(pre, 'resourceVersion', 'preconditions.resourceVersion');
    options.preconditions = { ...(uid === undefined ? {} : { uid }), ...(resourceVersion === undefined ? {} : { resourceVersion }) };
  }
  const dryRun = body['dryRun'];
  if (dryRun !== undefined && dryRun !== null) {
    if (!Array.isArray(dryRun) || !dryRun.every((v) => typeof v === 'string')) throw badRequest('DeleteOptions.dryRun must be a list of strings');
    options.dryRun = dryRun;
  }
  return options;
}

/**
 * kube-apiserver's DeleteOptions rules, checked before the object is looked
 * up: orphanDependents and propagationPolicy together, a propagationPolicy
 * other than Foreground, Background or Orphan, dryRun values other than
 * `All`; one 422 on DeleteOptions.meta.k8s.io listing them in that order.
 * A negative gracePeriodSeconds is allowed, as kube allows it.
 */
export function validateDeleteOptions(options: DeleteOptions): void {
  const errors: FieldError[] = [];
  const policy = options.propagationPolicy;
  if (options.orphanDependents !== undefined && policy !== undefined) {
    errors.push({ field: 'propagationPolicy', type: 'Invalid', value: policy, detail: 'orphanDependents and deletionPropagation cannot be both set' });
  }
  if (policy !== undefined && !propagationPolicies.includes(policy)) {
    errors.push({ field: 'propagationPolicy', type: 'NotSupported', value: policy, detail: `supported values: ${[...propagationPolicies, 'nil'].map((p) => JSON.stringify(p)).join(', ')}` });
  }
  const dryRun = options.dryRun ?? [];
  if (dryRun.some((v) => v !== 'All')) errors.push({ field: 'dryRun', type: 'NotSupported', value: dryRun, detail: 'supported values: "All"' });
  if (errors.length > 0) throw optionsInvalid('delete', errors);
}
