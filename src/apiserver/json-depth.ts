/**
 * Deepest nesting of objects and arrays a JSON body may have. kube-apiserver
 * allows 10,000 (Go's decoder); the embedded server keeps far less, because
 * it stores what it is sent and V8's default stack cannot clone or patch
 * objects much deeper than 1,500 levels (a real object is a few dozen deep).
 */
export const MAX_JSON_DEPTH = 1000;

/**
 * The opening character (`{` or `[`) of the first object or array, in
 * document order, nested deeper than `max` (the top level is depth 1), or
 * undefined. Iterative: any depth is measured without recursion.
 */
export function tooDeep(value: unknown, max = MAX_JSON_DEPTH): '{' | '[' | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const v = top.value;
    if (v === null || typeof v !== 'object') continue;
    if (top.depth > max) return Array.isArray(v) ? '[' : '{';
    const children: unknown[] = Array.isArray(v) ? (v as unknown[]) : Object.values(v as Record<string, unknown>);
    for (let i = children.length - 1; i >= 0; i--) {
      const child: unknown = children[i];
      if (child !== null && typeof child === 'object') stack.push({ value: child, depth: top.depth + 1 });
    }
  }
  return undefined;
}

/** kube's 400 for a body it cannot decode because it nests too deep (without kube's quote of the body, which may hold secret data). */
export function tooDeepMessage(kind: string, opening: '{' | '['): string {
  return `the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: invalid character '${opening}' exceeded max depth`;
}
