// The items of a typed list as kube-apiserver serves them: without `kind` and
// `apiVersion`, which the list itself carries. Watch events and Table rows
// keep theirs; only list and deletecollection answers go through here.

/** `obj` without its type meta; anything that is not an object is returned as is. */
export function withoutTypeMeta(obj: unknown): unknown {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return obj;
  const rest: Record<string, unknown> = { ...(obj as Record<string, unknown>) };
  delete rest['kind'];
  delete rest['apiVersion'];
  return rest;
}

/** The items of a typed list answer. */
export function listItems(items: readonly unknown[]): unknown[] {
  return items.map(withoutTypeMeta);
}
