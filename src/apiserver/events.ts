import type { KObject } from './resources.ts';
import { invalid } from './status.ts';
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
