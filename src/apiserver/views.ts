import { admitEventsV1, admitEventsV1Update, eventToEventsV1, eventsV1ToEvent } from './events.ts';
import type { V1Status } from '@kubernetes/client-node';
import { StatusError } from '../api/status-error.ts';
import { groupVersion, lookupResource, qualifiedResource } from './resources.ts';
import type { KObject, ResourceInfo } from './resources.ts';

/**
 * Resources served as another version of a stored one (kube keeps a single
 * store for core/v1 and events.k8s.io/v1 Events): objects are stored in the
 * stored resource's form and converted on the way in and out. One entry per
 * view, keyed `group/version/plural`.
 */
interface View {
  /** The stored resource (its storage name is the view's `name`). */
  stored: ResourceInfo;
  toView(stored: KObject): KObject;
  fromView(body: unknown): unknown;
  /** The view's own rules for an object it writes, checked on its stored form before the stored resource's. */
  admit?(stored: KObject): void;
  /** Its rules for an update of `old` (both in the stored form). */
  admitUpdate?(stored: KObject, old: KObject): void;
}

const coreEvents = lookupResource('', 'v1', 'events') as ResourceInfo;

const views: Record<string, View> = {
  'events.k8s.io/v1/events': { stored: coreEvents, toView: eventToEventsV1, fromView: eventsV1ToEvent, admit: admitEventsV1, admitUpdate: admitEventsV1Update },
};

function viewOf(info: ResourceInfo): View | undefined {
  return info.group === '' ? undefined : views[`${groupVersion(info)}/${info.name}`];
}

/** The resource whose store, validation and admission a request goes to: the stored one for a view, else itself. */
export function storedResource(info: ResourceInfo): ResourceInfo {
  return viewOf(info)?.stored ?? info;
}

/** The storage key of a resource's objects: the stored resource's qualified name (`secrets`, `widgets.example.com`). */
export function storageName(info: ResourceInfo): string {
  return qualifiedResource(storedResource(info));
}

/** A stored object (or a Status) as `info` serves it. */
export function toServed(info: ResourceInfo, obj: unknown): unknown {
  if (obj === null || typeof obj !== 'object') return obj;
  if ((obj as { kind?: unknown }).kind === 'Status') {
    if (info.group === '') return obj;
    // A delete's Success names a named group's resource with its group, as kube's does.
    const status = obj as V1Status;
    const { name, ...rest } = status.details ?? {};
    return { ...status, details: { ...(name === undefined ? {} : { name }), group: info.group, ...rest } };
  }
  const view = viewOf(info);
  return view === undefined ? obj : view.toView(obj as KObject);
}

/**
 * A request body (or a patched object) of `info` in the stored resource's
 * form, checked by the view's own rules (a 422 naming the view's fields);
 * `old` is the stored object an update replaces.
 */
export function fromServed(info: ResourceInfo, body: unknown, old?: KObject): unknown {
  const view = viewOf(info);
  if (view === undefined) return body;
  const stored = view.fromView(body) as KObject;
  stored.metadata = stored.metadata !== null && typeof stored.metadata === 'object' ? stored.metadata : {};
  view.admit?.(stored);
  if (old !== undefined) view.admitUpdate?.(stored, old);
  return stored;
}

/**
 * An error of a named group's resource (or of the stored resource of a view)
 * as kube names it: `events "x" not found` becomes
 * `events.events.k8s.io "x" not found`, `widgets "w"` becomes
 * `widgets.example.com "w"`, with the group in the details.
 */
export function viewError(info: ResourceInfo, err: unknown): unknown {
  if (info.group === '' || !(err instanceof StatusError)) return err;
  const status = err.status;
  const details = status.details;
  if (details?.kind !== info.name) return err;
  const qualified = qualifiedResource(info);
  const message = (status.message ?? '').replace(new RegExp(`(^|on )${info.name} "`), `$1${qualified} "`);
  const { name, kind, ...rest } = details;
  const fixed: V1Status = { ...status, message, details: { ...(name === undefined ? {} : { name }), group: info.group, kind, ...rest } };
  return new StatusError(fixed);
}
