import { admitEvent } from './events.ts';
import { qualifiedResource } from './resources.ts';
import type { KObject, ResourceInfo } from './resources.ts';
import { admitService } from './services.ts';
import type { Storage } from './storage.ts';

/**
 * What a resource does on create (`old` undefined) and update beyond the
 * registry's common rules: defaults, allocation and validation, in place,
 * throwing a 422 for what it refuses. One entry per resource, keyed by its
 * qualified name (`services`, `widgets.example.com`).
 */
type Admit = (obj: KObject, old: KObject | undefined, storage: Storage) => void;

const admitters: Record<string, Admit> = {
  services: admitService,
  events: (obj) => admitEvent(obj),
};

/** Runs the resource's admission, if it has one. */
export function admit(info: ResourceInfo, obj: KObject, old: KObject | undefined, storage: Storage): void {
  admitters[qualifiedResource(info)]?.(obj, old, storage);
}
