import type { V1Status } from '@kubernetes/client-node';
import type { Clock } from '../util/clock.ts';
import { StatusError } from '../api/status-error.ts';
import type { Exchange } from './exchange.ts';
import type { FaultState } from './faults.ts';
import { decodeContinue, encodeContinue } from './continue-token.ts';
import { listItems } from './list-items.ts';
import { decodeLimit, listOptionErrors, listOptionsInvalid, parseInt64, parseResourceVersion, watchOptionErrors } from './list-options.ts';
import type { ContinueToken } from './continue-token.ts';
import { checkBodyFields, checkPatchedFields, fieldValidationMode, targetKind, warningHeaders } from './field-validation.ts';
import type { PatchStyle } from './field-validation.ts';
import { bodyDeleteOptions, queryDeleteOptions, validateDeleteOptions } from './delete-options.ts';
import { decodedValue, decodeJson } from './json-decode.ts';
import type { DecodedJson } from './json-decode.ts';
import { tooDeep, tooDeepMessage } from './json-depth.ts';
import { patchTypes } from './patch.ts';
import { checkPathSegmentName, dotNamespaceError, isDotSegment } from './paths.ts';
import { decodeProtobufObject } from './protobuf.ts';
import type { DeleteOptions, Registry } from './registry.ts';
import { DryRunStorage } from './dry-run.ts';
import { writeOptions } from './write-options.ts';
import type { WriteOptions } from './write-options.ts';
import { serverSideApply } from './apply.ts';
import type { Writer } from './managed-fields.ts';
import type { ResourceCatalog } from './catalog.ts';
import { groupVersion, objectKey, resources } from './resources.ts';
import type { KObject, ResourceInfo } from './resources.ts';
import { serveReview } from './reviews.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { checkKind } from './validation.ts';
import { badRequest, methodNotAllowed, notFound, notServed, statusError, unknownPath } from './status.ts';
import { toTable, wantsTable } from './table.ts';
import { fromServed, storageName, storedResource, toServed, viewError } from './views.ts';
import type { WatchHub } from './watch.ts';

/** What the REST layer needs from the server. */
export interface RestContext {
  /** What the server serves, its caller's extra resources included. */
  catalog: ResourceCatalog;
  registry: Registry;
  hub: WatchHub;
  clock: Clock;
  faults: FaultState;
  /** Whether `sendInitialEvents` watches are served (else rejected with 422). */
  watchList: boolean;
  countRequest(verb: string, resource: string): void;
}

/** A parsed /api/v1 or /apis/{group}/{version} path. */
interface Route {
  info: ResourceInfo;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  legacyWatch: boolean;
}

const namespacesInfo = resources.get('namespaces') as ResourceInfo;

function parseRoute(catalog: ResourceCatalog, group: string, version: string, segments: string[]): Route {
  let segs = segments;
  let legacyWatch = false;
  if (segs[0] === 'watch') {
    legacyWatch = true;
    segs = segs.slice(1);
  }
  let namespace: string | undefined;
  // namespaces/{ns}/{resource}/...: anything but a subresource of the namespace itself.
  if (segs[0] === 'namespaces' && segs.length >= 3 && !(group === '' && segs.length === 3 && namespacesInfo.subresources.includes(segs[2] ?? ''))) {
    namespace = segs[1];
    segs = segs.slice(2);
  }
  const resource = segs[0] ?? '';
  const info = catalog.lookup(group, version, resource);
  // A name kube-apiserver serves (pods/log, endpoints, ...) gets a 404 that says it is not served here.
  if (info === undefined) throw resource === '' ? unknownPath() : notServed(`the resource "${resource}" in ${group === '' ? version : `${group}/${version}`}`);
  if (segs.length > 3 || (namespace !== undefined && !info.namespaced)) throw unknownPath();
  if (info.namespaced && namespace === undefined && segs.length > 1) throw unknownPath();
  const subresource = segs[2];
  if (subresource !== undefined && !info.subresources.includes(subresource)) {
    // kube routes any subresource of a custom resource to it, and answers NotFound when it has no such subresource.
    if (info.custom === true) throw viewError(info, notFound(info.name, segs[1] ?? ''));
    throw notServed(`the ${info.name}/${subresource} subresource`);
  }
  if (legacyWatch && subresource !== undefined) throw unknownPath();
  return { info, namespace, name: segs[1], subresource, legacyWatch };
}

function isWatch(q: URLSearchParams, route: Route): boolean {
  if (route.legacyWatch) return true;
  const w = q.get('watch');
  return w !== null && w !== '0' && w !== 'false';
}

function verbOf(method: string, route: Route, watch: boolean): string {
  const item = route.name !== undefined;
  switch (method) {
    case 'GET':
      return watch ? 'watch' : item ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return item ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

function tooLarge(rv: number | string, current: number): StatusError {
  return statusError(504, 'Timeout', `Timeout: Too large resource version: ${rv}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

/** Waits (up to 3 s, like kube) for the global RV to reach `rv`; 504 TooLargeResourceVersion otherwise. */
async function awaitRv(ctx: RestContext, rv: number, rvText = String(rv)): Promise<void> {
  const storage = ctx.registry.storage;
  if (rv <= storage.resourceVersion) return;
  if (!(await storage.waitFor(rv, ctx.clock, 3000))) throw tooLarge(rvText, storage.resourceVersion);
}

const continueExpired =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** kube's 410 for a continue token older than the history, carrying a token that goes on from the current state. */
function continueTooOld(start: string): StatusError {
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: { continue: encodeContinue(-1, start) } as V1Status['metadata'], status: 'Failure', message: continueExpired, reason: 'Expired', code: 410 });
}

/** The objects a continued list reads: at the token's RV, or (rv -1) at the current state. */
async function continuedItems(ctx: RestContext, info: ResourceInfo, namespace: string | undefined, token: ContinueToken): Promise<{ items: KObject[]; listRv: number }> {
  const storage = ctx.registry.storage;
  if (token.rv < 0) return { items: storage.list(storageName(info), namespace), listRv: storage.resourceVersion };
  if (!Number.isSafeInteger(token.rv)) throw tooLarge(token.rvText, storage.resourceVersion);
  await awaitRv(ctx, token.rv);
  try {
    return { items: storage.listAt(storageName(info), token.rv, namespace), listRv: token.rv };
  } catch (err) {
    if (err instanceof StatusError && err.statusCode === 410) throw continueTooOld(token.start);
    throw err;
  }
}

async function list(ctx: RestContext, route: Route, q: URLSearchParams, table: boolean): Promise<unknown> {
  const { info, namespace } = route;
  const storage = ctx.registry.storage;
  const labels = parseLabelSelector(q.get('labelSelector') ?? undefined);
  const fields = parseFieldSelector(q.get('fieldSelector') ?? undefined, info);
  const rvText = q.get('resourceVersion');
  const match = q.get('resourceVersionMatch');
  const cont = q.get('continue') ?? '';
  const limit = decodeLimit(q);
  const optionErrors = listOptionErrors(q);
  if (optionErrors.length > 0) throw listOptionsInvalid(optionErrors);
  let items: KObject[];
  let listRv: number;
  let start: string | undefined;
  let rv: number | undefined;
  if (cont !== '') {
    const token = decodeContinue(cont);
    if (rvText !== null && rvText !== '' && rvText !== '0') throw badRequest('specifying resource version is not allowed when using continue');
    ({ items, listRv } = await continuedItems(ctx, info, namespace, token));
    start = token.start;
  } else if ((rv = parseResourceVersion(rvText, true)) !== undefined && rv > 0 && (match === 'Exact' || (limit > 0 && (match === null || match === '')))) {
    await awaitRv(ctx, rv, rvText ?? '');
    items = storage.listAt(storageName(info), rv, namespace);
    listRv = rv;
  } else {
    if (rv !== undefined && rv > 0) await awaitRv(ctx, rv, rvText ?? '');
    // A list of one object by name (the kubelet-style per-object list) is a lookup, not a scan.
    if (fields.name !== undefined && (namespace !== undefined || !info.namespaced)) {
      const obj = storage.get(storageName(info), objectKey(namespace, fields.name));
      items = obj === undefined ? [] : [obj];
    } else items = storage.list(storageName(info), namespace);
    listRv = storage.resourceVersion;
  }
  let selected = items.filter((o) => fields.matches(o) && labels.matches(o));
  if (start !== undefined) {
    const from = start;
    selected = selected.filter((o) => objectKey(o.metadata.namespace, o.metadata.name ?? '') > from);
  }
  const metadata: Record<string, unknown> = { resourceVersion: String(listRv) };
  if (limit > 0 && selected.length > limit) {
    const page = selected.slice(0, limit);
    const last = page[page.length - 1];
    metadata['continue'] = encodeContinue(listRv, objectKey(last?.metadata.namespace, last?.metadata.name ?? ''));
    if (labels.empty && fields.empty) metadata['remainingItemCount'] = selected.length - limit;
    selected = page;
  }
  if (table) return toTable(info, selected, metadata, ctx.clock.now());
  // A custom resource's list always carries `continue` (kube serializes its unstructured list so).
  if (info.custom === true) metadata['continue'] ??= '';
  return { kind: info.listKind, apiVersion: groupVersion(info), metadata, items: servedItems(info, selected) };
}

/** The items of a list answer: built-in kinds' without their type meta, custom resources' whole (as kube stores them). */
function servedItems(info: ResourceInfo, objects: KObject[]): unknown[] {
  if (info.custom === true) return objects;
  return listItems(info.group === '' ? objects : objects.map((o) => toServed(info, o)));
}

function truthy(v: string | null): boolean {
  return v === 'true' || v === '1';
}

/**
 * The watch timeout kube-apiserver derives from `timeoutSeconds`: parsed as
 * an int64 (400 with strconv's message otherwise), then turned into int64
 * nanoseconds the way Go does, wrapping on overflow. Unset or 0: kube's
 * random default of 30 to 60 minutes. A result <= 0 (a negative value, or
 * more than 9,223,372,036 s) answers 0: the watch ends at once. Any positive
 * value is honoured, however far it is beyond what one timer can wait.
 */
function watchTimeoutMs(text: string | null): number {
  // Whole seconds let Node share timer lists among thousands of watches.
  const defaultMs = (): number => (1800 + Math.floor(Math.random() * 1800)) * 1000;
  if (text === null || text === '') return defaultMs();
  const seconds = parseInt64(text);
  const ns = BigInt.asIntN(64, seconds * 1_000_000_000n);
  if (ns === 0n) return defaultMs();
  return ns < 0n ? 0 : Number(ns) / 1e6;
}

async function watch(ctx: RestContext, ex: Exchange, route: Route): Promise<void> {
  const q = ex.query;
  const { info, namespace } = route;
  let fieldText = q.get('fieldSelector') ?? '';
  if (route.name !== undefined) {
    const byName = parseFieldSelector(fieldText, info).name;
    if (byName !== undefined && byName !== route.name) throw badRequest('fieldSelector metadata.name doesn\'t match requested name');
    fieldText = fieldText === '' ? `metadata.name=${route.name}` : `${fieldText},metadata.name=${route.name}`;
  }
  const fields = parseFieldSelector(fieldText, info);
  const labels = parseLabelSelector(q.get('labelSelector') ?? undefined);
  const match = q.get('resourceVersionMatch');
  const sieText = q.get('sendInitialEvents');
  decodeLimit(q);
  const optionErrors = watchOptionErrors(q, ctx.watchList);
  if (optionErrors.length > 0) throw listOptionsInvalid(optionErrors);
  const rvText = q.get('resourceVersion');
  const rv = parseResourceVersion(rvText, false);
  // kube-apiserver with WatchList defaults a watch that names neither option,
  // from resourceVersion "" or "0", to sendInitialEvents=true
  // (SetListOptionsDefaults): its initial events then end with a bookmark.
  const legacy = sieText === null && (match === null || match === '') && (rv === undefined || rv === 0);
  const sendInitialEvents = sieText !== null ? truthy(sieText) : ctx.watchList && legacy ? true : undefined;
  const timeoutMs = watchTimeoutMs(q.get('timeoutSeconds'));
  const bookmarks = truthy(q.get('allowWatchBookmarks'));
  let tooLargeError: StatusError | undefined;
  if (rv !== undefined && rv > ctx.registry.storage.resourceVersion) {
    try {
      await awaitRv(ctx, rv, rvText ?? '');
    } catch (err) {
      if (!(err instanceof StatusError)) throw err;
      tooLargeError = err;
    }
  }
  if (ex.closed) return; // the client left while the watch waited (future RV, injected delay)
  const sink = ex.stream();
  if (timeoutMs === 0) {
    sink.end(); // a timeout kube computes as <= 0 ends the watch at once, with no event
    return;
  }
  const table = wantsTable(ex.headers.accept);
  const spec = { info, namespace, labels, fields, bookmarks, resourceVersion: rv === undefined ? undefined : String(rv), sendInitialEvents, timeoutMs, table };
  if (tooLargeError !== undefined) {
    sink.write(`${JSON.stringify({ type: 'ERROR', object: tooLargeError.status })}\n`);
    sink.end();
    return;
  }
  const watcher = ctx.hub.start(spec, sink);
  ex.onClose(() => watcher.detach());
}

/**
 * Parses a JSON body (V8's parser is not recursive, so any depth is safe to
 * read); one nested deeper than MAX_JSON_DEPTH is kube's 400: for an object
 * of `kind`, its decoding error, for a patch (kind `patch`) "invalid JSON patch".
 */
function parseJson(buf: Buffer, kind: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8')) as unknown;
  } catch {
    // V8's message quotes the body, which may hold secret data: say only what went wrong.
    throw badRequest('the request body could not be decoded: it is not valid JSON');
  }
  const opening = tooDeep(value);
  if (opening !== undefined) throw badRequest(kind === 'patch' ? 'invalid JSON patch' : tooDeepMessage(kind, opening));
  return value;
}

function contentType(ex: Exchange): string {
  return (ex.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** A create or update body, decoded as kube's decoder sees it (repeated keys, number literals: see json-decode.ts). */
async function jsonBody(ex: Exchange, kind: string): Promise<DecodedJson> {
  const type = contentType(ex);
  if (type === 'application/vnd.kubernetes.protobuf') return decodedValue(decodeProtobufObject(await ex.body()));
  if (type !== '' && type !== 'application/json' && type !== '*/*') {
    throw statusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json`);
  }
  const raw = await ex.body();
  parseJson(raw, kind);
  return decodeJson(raw.toString('utf8'));
}

const patchStyles: Record<string, PatchStyle> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
};

/** kube's Warning headers (one comma-separated value) for the fields a write dropped. */
function warned(warnings: string[]): Record<string, string> {
  return warnings.length === 0 ? {} : { warning: warningHeaders(warnings).join(', ') };
}

/** A PUT body that creates `name`: it must name that object, as kube requires (400 otherwise). */
function namedBody(body: unknown, name: string): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const given = (body as { metadata?: { name?: unknown } }).metadata?.name;
  if (given === undefined || given === '') throw badRequest(`the name of the object (${name} based on URL) was undeterminable: name must be provided`);
  if (given !== name) throw badRequest(`the name of the object (${typeof given === 'string' ? given : JSON.stringify(given)}) does not match the name on the URL (${name})`);
  return body;
}

function updateWriter(options: WriteOptions | undefined, subresource: string | undefined): Writer | undefined {
  return options === undefined ? undefined : { manager: options.fieldManager, operation: 'Update', subresource };
}

function timestamp(clock: Clock): string {
  return new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isApplyPatch(ex: Exchange): boolean {
  return ex.method === 'PATCH' && contentType(ex) === 'application/apply-patch+yaml';
}

/**
 * The DeleteOptions of a DELETE: its body when it has one (the query's options
 * are then ignored, as kube ignores them), else its query; checked before the
 * object is looked up.
 */
async function deleteOptions(ex: Exchange): Promise<{ options: DeleteOptions; bodyDryRun: string[] }> {
  const raw = await ex.body();
  const options = raw.length === 0 ? queryDeleteOptions(ex.query) : bodyDeleteOptions(parseJson(raw, 'DeleteOptions'));
  validateDeleteOptions(options);
  return { options, bodyDryRun: raw.length === 0 ? [] : (options.dryRun ?? []) };
}

/**
 * Serves one request under /api/v1 (group '') or /apis/{group}/{version}
 * (the path segments after it): routing, request counting, injected faults
 * and delays, then the verb.
 */
export async function serveApi(ctx: RestContext, ex: Exchange, group: string, version: string, segments: string[]): Promise<void> {
  const route = parseRoute(ctx.catalog, group, version, segments);
  try {
    await serveRoute(ctx, ex, route);
  } catch (err) {
    throw viewError(route.info, err);
  }
}

async function serveRoute(ctx: RestContext, ex: Exchange, route: Route): Promise<void> {
  const q = ex.query;
  const watching = ex.method === 'GET' && isWatch(q, route);
  const verb = verbOf(ex.method, route, watching);
  // Names from the path are checked as kube-apiserver checks them (a legacy
  // /watch/ path only filters by its name); nothing is ever resolved.
  if (route.name !== undefined && !route.legacyWatch) checkPathSegmentName(route.name);
  if (route.namespace !== undefined && isDotSegment(route.namespace)) {
    throw dotNamespaceError(verb, route.info.name, route.namespace, route.name);
  }
  const resource = route.subresource === undefined ? route.info.name : `${route.info.name}/${route.subresource}`;
  ctx.countRequest(verb, resource);
  if (ctx.faults.delayMs > 0) await new Promise<void>((resolve) => ctx.clock.setTimeout(resolve, ctx.faults.delayMs));
  const injected = ctx.faults.take(verb, resource);
  if (injected !== undefined) throw injected;
  const { info, namespace, name, subresource } = route;
  // A view (events.k8s.io/v1 Events) reads and writes the stored resource's objects, converted on the way.
  const stored = storedResource(info);
  if (!info.stored) {
    // A create-only review: only POST on the collection is served, and nothing is kept.
    if (name !== undefined) throw unknownPath();
    if (ex.method !== 'POST') throw methodNotAllowed(ex.method);
    ex.json(201, serveReview(info, (await jsonBody(ex, info.kind)).value, ex.headers, ctx.clock.now()));
    return;
  }
  const deletion = ex.method === 'DELETE' ? await deleteOptions(ex) : { options: {}, bodyDryRun: [] };
  const writing = ex.method === 'POST' || ex.method === 'PUT' || ex.method === 'PATCH' || ex.method === 'DELETE';
  const options = writing ? writeOptions(verb, q, ex.headers['user-agent'], isApplyPatch(ex), deletion.bodyDryRun) : undefined;
  const registry = options?.dryRun === true ? ctx.registry.withStorage(new DryRunStorage(ctx.registry.storage)) : ctx.registry;
  if (verb === 'deletecollection' && !info.verbs.includes(verb)) throw methodNotAllowed(ex.method);
  if (name === undefined) {
    switch (ex.method) {
      case 'GET':
        if (watching) return watch(ctx, ex, route);
        ex.json(200, await list(ctx, route, q, wantsTable(ex.headers.accept)));
        return;
      case 'POST': {
        if (info.namespaced && namespace === undefined) throw methodNotAllowed(ex.method);
        const mode = fieldValidationMode(q, 'CreateOptions');
        const body = await jsonBody(ex, info.kind);
        checkKind(info, body.value);
        const checked = checkBodyFields(targetKind(info), mode, body);
        ex.json(201, toServed(info, registry.create(stored, namespace, fromServed(info, checked.value), updateWriter(options, undefined))), warned(checked.warnings));
        return;
      }
      case 'DELETE': {
        const labels = parseLabelSelector(q.get('labelSelector') ?? undefined);
        const fields = parseFieldSelector(q.get('fieldSelector') ?? undefined, info);
        const items = registry.deleteCollection(stored, namespace, (o) => fields.matches(o) && labels.matches(o));
        const metadata = { resourceVersion: String(registry.storage.resourceVersion), ...(info.custom === true ? { continue: '' } : {}) };
        ex.json(200, { kind: info.listKind, apiVersion: groupVersion(info), metadata, items: servedItems(info, items) });
        return;
      }
      default:
        throw methodNotAllowed(ex.method);
    }
  }
  switch (ex.method) {
    case 'GET': {
      if (watching) return watch(ctx, ex, route);
      const rvText = q.get('resourceVersion');
      const rv = parseResourceVersion(rvText, false);
      if (rv !== undefined && rv > 0) await awaitRv(ctx, rv, rvText ?? '');
      const obj = registry.get(stored, namespace, name);
      const table = wantsTable(ex.headers.accept) && subresource === undefined;
      ex.json(200, table ? toTable(info, [obj], { resourceVersion: obj.metadata.resourceVersion }, ctx.clock.now()) : toServed(info, obj));
      return;
    }
    case 'PUT': {
      const mode = fieldValidationMode(q, 'UpdateOptions');
      const body = await jsonBody(ex, info.kind);
      checkKind(info, body.value);
      const checked = checkBodyFields(targetKind(info), mode, body);
      const old = registry.storage.get(storageName(info), objectKey(namespace, name));
      if (old === undefined && stored.createOnUpdate === true && subresource === undefined) {
        ex.json(201, toServed(info, registry.create(stored, namespace, namedBody(fromServed(info, checked.value), name), updateWriter(options, undefined))), warned(checked.warnings));
        return;
      }
      ex.json(200, toServed(info, registry.update(stored, namespace, name, fromServed(info, checked.value, stored === info ? undefined : old), subresource, updateWriter(options, subresource))), warned(checked.warnings));
      return;
    }
    case 'PATCH': {
      const type = contentType(ex);
      if (isApplyPatch(ex)) {
        if (stored !== info) throw statusError(415, 'UnsupportedMediaType', `the embedded API server does not serve server-side apply for ${info.name}.${info.group}; apply the ${stored.kind} of ${stored.group === '' ? 'core/v1' : stored.group} instead`);
        const request = { info, namespace, name, subresource, manager: options?.fieldManager ?? '', force: options?.force === true, now: timestamp(ctx.clock) };
        const result = serverSideApply(registry, request, await ex.body());
        ex.json(result.created ? 201 : 200, result.object);
        return;
      }
      const apply = patchTypes[type];
      // kube has no strategic merge for custom resources.
      if (info.custom === true && type === 'application/strategic-merge-patch+json') {
        throw statusError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
      }
      if (apply === undefined) {
        throw statusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${[...Object.keys(patchTypes), 'application/apply-patch+yaml'].join(', ')}`);
      }
      const mode = fieldValidationMode(q, 'PatchOptions');
      const style = patchStyles[type] ?? 'merge';
      const raw = await ex.body();
      parseJson(raw, 'patch');
      // Repeated keys: Go merges them and reports them (merge and strategic patches).
      const patch = decodeJson(raw.toString('utf8'));
      let warnings: string[] = [];
      const patched = registry.patch(stored, namespace, name, (current) => {
        const checked = checkPatchedFields(targetKind(info), mode, style, apply(toServed(info, current), patch.value), patch);
        warnings = checked.warnings;
        return fromServed(info, checked.value, current);
      }, subresource, updateWriter(options, subresource));
      ex.json(200, toServed(info, patched), warned(warnings));
      return;
    }
    case 'DELETE': {
      if (subresource !== undefined) throw methodNotAllowed(ex.method);
      const result = registry.delete(stored, namespace, name, deletion.options);
      // kube answers 202 Accepted when the object is only marked for deletion.
      ex.json(result.gone ? 200 : 202, toServed(info, result.body));
      return;
    }
    default:
      throw methodNotAllowed(ex.method);
  }
}
