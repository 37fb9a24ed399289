// Differences between two normalised answers, each at a path such as
// `status`, `headers.content-type`, `body.details.causes.0.field` or
// `events.2.type`.

export interface Difference {
  path: string;
  real: unknown;
  embedded: unknown;
}

const absent = '<absent>';

function kind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

export function differences(real: unknown, embedded: unknown, path = ''): Difference[] {
  const here = (r: unknown, e: unknown): Difference[] => [{ path: path === '' ? '.' : path, real: r, embedded: e }];
  if (kind(real) !== kind(embedded)) return here(real, embedded);
  const at = (key: string): string => (path === '' ? key : `${path}.${key}`);
  if (Array.isArray(real) && Array.isArray(embedded)) {
    const out: Difference[] = [];
    if (real.length !== embedded.length) out.push({ path: at('length'), real: real.length, embedded: embedded.length });
    for (let i = 0; i < Math.min(real.length, embedded.length); i++) out.push(...differences(real[i], embedded[i], at(String(i))));
    return out;
  }
  if (typeof real === 'object' && real !== null && typeof embedded === 'object' && embedded !== null) {
    const r = real as Record<string, unknown>;
    const e = embedded as Record<string, unknown>;
    const out: Difference[] = [];
    for (const key of new Set([...Object.keys(r), ...Object.keys(e)])) {
      if (!(key in e)) out.push({ path: at(key), real: r[key], embedded: absent });
      else if (!(key in r)) out.push({ path: at(key), real: absent, embedded: e[key] });
      else out.push(...differences(r[key], e[key], at(key)));
    }
    return out;
  }
  return real === embedded ? [] : here(real, embedded);
}

/** `*` matches any run of characters; the rest is literal. */
export function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(text);
}
