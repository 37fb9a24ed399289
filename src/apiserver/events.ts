import type { KObject } from './resources.ts';
import { invalid, statusError } from './status.ts';
import type { FieldError } from './status.ts';

/**
 * core/v1 Event admission as kube-apiserver applies it: the fields kube
 * always writes (Go zero values: `source: {}`, null timestamps, empty
 * reporting fields) and its validation. An event without `eventTime` is a
 * legacy one, whose involved object must be in the event's namespace (a
 * cluster-scoped one's events go to `default`); one with `eventTime` also
 * needs reportingComponent, reportingInstance, action and reason.
 */

type Rec = Record<string, unknown>;

function rec(v: unknown): Rec {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {};
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const namePartDetail = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

/** Fills kube's always-present Event fields and validates; a 422 like kube's for what it refuses. */
export function admitEvent(obj: KObject): void {
  obj['involvedObject'] = rec(obj['involvedObject']);
  obj['source'] ??= {};
  obj['firstTimestamp'] ??= null;
  obj['lastTimestamp'] ??= null;
  obj['eventTime'] ??= null;
  obj['reportingComponent'] ??= '';
  obj['reportingInstance'] ??= '';
  const errors: FieldError[] = [];
  const namespace = obj.metadata.namespace ?? '';
  const involvedNamespace = str(rec(obj['involvedObject'])['namespace']);
  if (obj['eventTime'] === null) {
    if (involvedNamespace === '' ? namespace !== 'default' && namespace !== '' : involvedNamespace !== namespace) {
      errors.push({ field: 'involvedObject.namespace', type: 'Invalid', value: involvedNamespace, detail: 'does not match event.namespace' });
    }
  } else {
    const component = str(obj['reportingComponent']);
    if (component === '') {
      errors.push({ field: 'reportingComponent', type: 'Required', detail: '' });
      errors.push({ field: 'reportingComponent', type: 'Invalid', value: '', detail: 'name part must be non-empty' });
    }
    const part = component.includes('/') ? component.slice(component.indexOf('/') + 1) : component;
    if (!qualifiedNamePart.test(part) || part.length > 63) errors.push({ field: 'reportingComponent', type: 'Invalid', value: component, detail: namePartDetail });
    for (const field of ['reportingInstance', 'action', 'reason']) {
      if (str(obj[field]) === '') errors.push({ field, type: 'Required', detail: '' });
    }
    if (involvedNamespace !== '' && involvedNamespace !== namespace) {
      errors.push({ field: 'involvedObject.namespace', type: 'Invalid', value: involvedNamespace, detail: 'does not match event.namespace' });
    }
  }
  if (errors.length > 0) throw invalid('Event', obj.metadata.name ?? '', errors);
}

/** Copies `from[a]` to `to[b]` when set; empty strings too unless `omitEmpty` (Go's omitempty). */
function copy(to: Rec, b: string, from: Rec, a: string, omitEmpty = false): void {
  const v = from[a];
  if (v === undefined || (omitEmpty && (v === '' || v === 0))) return;
  to[b] = v;
}

/**
 * A stored core/v1 Event as events.k8s.io/v1 shows it (kube keeps one store
 * for both): involvedObject is `regarding`, message `note`,
 * reportingComponent `reportingController`, source and the timestamps and
 * count `deprecated*`.
 */
export function eventToEventsV1(core: KObject): KObject {
  const out: Rec = { kind: 'Event', apiVersion: 'events.k8s.io/v1', metadata: core.metadata };
  copy(out, 'eventTime', core, 'eventTime');
  copy(out, 'series', core, 'series');
  copy(out, 'reportingController', core, 'reportingComponent', true);
  copy(out, 'reportingInstance', core, 'reportingInstance', true);
  copy(out, 'action', core, 'action', true);
  copy(out, 'reason', core, 'reason', true);
  copy(out, 'regarding', core, 'involvedObject');
  copy(out, 'related', core, 'related');
  copy(out, 'note', core, 'message', true);
  copy(out, 'type', core, 'type', true);
  copy(out, 'deprecatedSource', core, 'source');
  copy(out, 'deprecatedFirstTimestamp', core, 'firstTimestamp');
  copy(out, 'deprecatedLastTimestamp', core, 'lastTimestamp');
  copy(out, 'deprecatedCount', core, 'count', true);
  return out as KObject;
}

/**
 * An events.k8s.io/v1 Event body as the core/v1 Event stored; 400 for a body
 * of another kind or version. Fields events.k8s.io/v1 does not have are dropped.
 */
export function eventsV1ToEvent(body: unknown): Rec {
  const view = rec(body);
  if ((view['kind'] !== undefined && view['kind'] !== 'Event') || (view['apiVersion'] !== undefined && view['apiVersion'] !== 'events.k8s.io/v1')) {
    throw statusError(400, 'BadRequest', `the API version in the data (${String(view['apiVersion'])}) does not match the expected API version (events.k8s.io/v1), or the kind (${String(view['kind'])}) is not Event`);
  }
  const out: Rec = { kind: 'Event', apiVersion: 'v1', metadata: view['metadata'] ?? {} };
  copy(out, 'involvedObject', view, 'regarding');
  copy(out, 'related', view, 'related');
  copy(out, 'reason', view, 'reason');
  copy(out, 'message', view, 'note');
  copy(out, 'source', view, 'deprecatedSource');
  copy(out, 'firstTimestamp', view, 'deprecatedFirstTimestamp');
  copy(out, 'lastTimestamp', view, 'deprecatedLastTimestamp');
  copy(out, 'count', view, 'deprecatedCount');
  copy(out, 'type', view, 'type');
  copy(out, 'eventTime', view, 'eventTime');
  copy(out, 'series', view, 'series');
  copy(out, 'action', view, 'action');
  copy(out, 'reportingComponent', view, 'reportingController');
  copy(out, 'reportingInstance', view, 'reportingInstance');
  return out;
}

/**
 * What events.k8s.io/v1 requires of an event it writes (in its own field
 * names), before the core rules: eventTime, reportingController,
 * reportingInstance, action and reason, and a type of Normal or Warning.
 */
export function admitEventsV1(obj: KObject): void {
  const errors: FieldError[] = [];
  if (obj['eventTime'] === undefined || obj['eventTime'] === null || obj['eventTime'] === '') errors.push({ field: 'eventTime', type: 'Required', detail: '' });
  else {
    for (const [field, core] of [['reportingController', 'reportingComponent'], ['reportingInstance', 'reportingInstance'], ['action', 'action'], ['reason', 'reason']]) {
      if (str(obj[core ?? '']) === '') errors.push({ field: field ?? '', type: 'Required', detail: '' });
    }
    // kube's own wording: the value shown is empty and the detail names the type.
    if (obj['type'] !== 'Normal' && obj['type'] !== 'Warning') errors.push({ field: 'type', type: 'Invalid', value: '', detail: `has invalid value: ${str(obj['type'])}` });
  }
  if (errors.length > 0) throw invalid('Event', obj.metadata.name ?? '', errors);
}

/** Go's zero values (and absent fields) compare equal, as the typed objects kube compares do. */
function isZero(v: unknown): boolean {
  return v === undefined || v === null || v === '' || v === 0 || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (isZero(a) && isZero(b)) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  const ka = Object.keys(a).filter((k) => !isZero((a as Rec)[k]));
  const kb = Object.keys(b).filter((k) => !isZero((b as Rec)[k]));
  return ka.length === kb.length && ka.every((k) => sameValue((a as Rec)[k], (b as Rec)[k]));
}

/** How kube prints an ObjectReference as an invalid value: Go's field names, every field. */
function goObjectReference(v: unknown): Rec {
  const r = rec(v);
  return { Kind: str(r['kind']), Namespace: str(r['namespace']), Name: str(r['name']), UID: str(r['uid']), APIVersion: str(r['apiVersion']), ResourceVersion: str(r['resourceVersion']), FieldPath: str(r['fieldPath']) };
}

/** The fields events.k8s.io/v1 forbids an update to change, by kube's path names and their stored keys. */
const immutable: [string, string][] = [
  ['involvedObject', 'involvedObject'], ['reason', 'reason'], ['message', 'message'], ['source', 'source'],
  ['firstTimestamp', 'firstTimestamp'], ['lastTimestamp', 'lastTimestamp'], ['count', 'count'], ['type', 'type'],
  ['eventTime', 'eventTime'], ['action', 'action'], ['related', 'related'], ['reportingController', 'reportingComponent'],
  ['reportingInstance', 'reportingInstance'],
];

/** An update through events.k8s.io/v1 may change the series and metadata only: 422 `field is immutable` otherwise. */
export function admitEventsV1Update(obj: KObject, old: KObject): void {
  const errors: FieldError[] = [];
  for (const [field, key] of immutable) {
    if (sameValue(obj[key], old[key])) continue;
    const value = key === 'involvedObject' || key === 'related' ? goObjectReference(obj[key]) : obj[key] ?? null;
    errors.push({ field, type: 'Invalid', value, detail: 'field is immutable' });
  }
  if (errors.length > 0) throw invalid('Event', obj.metadata.name ?? '', errors);
}
