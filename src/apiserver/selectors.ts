import { badRequest } from './status.ts';
import { fieldValue, qualifiedResource } from './resources.ts';
import type { ResourceInfo } from './resources.ts';
import type { Selector } from './label-selector.ts';

/** One term of a field selector: `label=value` or `label!=value`. */
export interface FieldTerm {
  label: string;
  value: string;
  negate: boolean;
}

export type { Selector } from './label-selector.ts';

export interface FieldSelector extends Selector {
  /** The metadata.name an equality term requires (used to index single-object watches). */
  readonly name: string | undefined;
}

/** Splits on commas not escaped with a backslash. */
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      cur += c + (text[i + 1] ?? '');
      i++;
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function unescapeValue(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

/**
 * Parses a field selector for a resource. Labels the resource does not
 * support get kube's 400 texts: `field label not supported: x` for kinds with
 * their own label conversion, else `"x" is not a known field selector: ...`.
 */
export function parseFieldSelector(text: string | undefined, info: ResourceInfo): FieldSelector {
  const terms: FieldTerm[] = [];
  if (text !== undefined && text.trim() !== '') {
    for (const raw of splitTerms(text)) {
      const term = raw.trim();
      const m = /^(.*?)(!=|==|=)(.*)$/.exec(term);
      if (m === null || m[1] === undefined || m[1] === '') throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
      const label = m[1].trim();
      if (label !== 'metadata.name' && label !== 'metadata.namespace' && info.fields[label] === undefined && !(label === 'spec.host' && qualifiedResource(info) === 'pods')) {
        throw badRequest(
          info.customFieldLabels
            ? `field label not supported: ${label}`
            : `"${label}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
        );
      }
      terms.push({ label, value: unescapeValue(m[3] ?? ''), negate: m[2] === '!=' });
    }
  }
  const nameTerm = terms.find((t) => t.label === 'metadata.name' && !t.negate);
  return {
    empty: terms.length === 0,
    name: nameTerm?.value,
    matches: (obj) => terms.every((t) => (fieldValue(info, obj, t.label) === t.value) !== t.negate),
  };
}

// Label selectors: label-selector.ts (kube's lexer and parser).
export { parseLabelSelector } from './label-selector.ts';
