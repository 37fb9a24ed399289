import { badRequest } from './status.ts';
import { fieldValue } from './resources.ts';
import type { KObject, ResourceInfo } from './resources.ts';

/** One term of a field selector: `label=value` or `label!=value`. */
export interface FieldTerm {
  label: string;
  value: string;
  negate: boolean;
}

/** A compiled selector: `matches(obj)`; `names` is the exact metadata.name it requires, if any. */
export interface Selector {
  matches(obj: KObject): boolean;
  readonly empty: boolean;
}

export interface FieldSelector extends Selector {
  /** The metadata.name an equality term requires (used to index single-object watches). */
  readonly name: string | undefined;
}

const MATCH_ALL: Selector = { matches: () => true, empty: true };

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
      if (label !== 'metadata.name' && label !== 'metadata.namespace' && info.fields[label] === undefined && !(label === 'spec.host' && info.name === 'pods')) {
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

// --- label selectors ------------------------------------------------------

type LabelOp = 'eq' | 'neq' | 'in' | 'notin' | 'exists' | '!exists' | 'gt' | 'lt';
interface LabelReq {
  key: string;
  op: LabelOp;
  values: string[];
}

const keyRe = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const valueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string): string {
  if (!keyRe.test(key) || key.length > 316) throw badRequest(`unable to parse requirement: invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  return key;
}

function checkValue(v: string): string {
  if (!valueRe.test(v) || v.length > 63) throw badRequest(`unable to parse requirement: invalid label value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  return v;
}

/** Splits on commas outside parentheses. */
function splitRequirements(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of text) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function parseRequirement(raw: string): LabelReq {
  const r = raw.trim();
  if (r === '') throw badRequest('unable to parse requirement: found \'\', expected: identifier');
  let m = /^!\s*(\S+)$/.exec(r);
  if (m?.[1] !== undefined) return { key: checkKey(m[1]), op: '!exists', values: [] };
  m = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(r);
  if (m?.[1] !== undefined && m[3] !== undefined) {
    const values = m[3].split(',').map((v) => checkValue(v.trim()));
    return { key: checkKey(m[1]), op: m[2] === 'in' ? 'in' : 'notin', values };
  }
  m = /^([^=!<>\s]+)\s*(==|!=|=|<|>)\s*(.*)$/.exec(r);
  if (m?.[1] !== undefined && m[2] !== undefined) {
    const value = (m[3] ?? '').trim();
    const op: LabelOp = m[2] === '!=' ? 'neq' : m[2] === '<' ? 'lt' : m[2] === '>' ? 'gt' : 'eq';
    if ((op === 'lt' || op === 'gt') && !/^-?\d+$/.test(value)) {
      throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer: "${value}"`);
    }
    return { key: checkKey(m[1]), op, values: [checkValue(value)] };
  }
  if (/^\S+$/.test(r)) return { key: checkKey(r), op: 'exists', values: [] };
  throw badRequest(`unable to parse requirement: found '${r}', expected: in, notin, =, ==, !=, gt, lt`);
}

function matchesReq(req: LabelReq, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const v = labels[req.key];
  switch (req.op) {
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case 'eq':
    case 'in':
      return has && req.values.includes(v ?? '');
    case 'neq':
    case 'notin':
      return !has || !req.values.includes(v ?? '');
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(v ?? '')) return false;
      const n = Number(v);
      const want = Number(req.values[0]);
      return req.op === 'gt' ? n > want : n < want;
    }
  }
}

/** Parses a label selector (`a=b,c!=d,e in (x,y),!f,g,h>3`); a syntax error is a 400. */
export function parseLabelSelector(text: string | undefined): Selector {
  if (text === undefined || text.trim() === '') return MATCH_ALL;
  const reqs = splitRequirements(text).map(parseRequirement);
  return {
    empty: false,
    matches: (obj) => {
      const labels = obj.metadata.labels ?? {};
      return reqs.every((r) => matchesReq(r, labels));
    },
  };
}
