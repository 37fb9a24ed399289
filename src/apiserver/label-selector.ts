// Label selectors parsed the way kube-apiserver parses them (apimachinery's
// labels.Parse): a lexer of identifiers and the symbols `= == != ! ( ) , > <`,
// the keywords `in` and `notin`, and a parser whose errors carry kube's
// wording, so that a bad selector gets the same 400 message from both.
import { qualifiedNameProblems } from './object-meta.ts';
import { badRequest } from './status.ts';
import type { KObject } from './resources.ts';

/** A compiled selector: `matches(obj)`; `empty` when it matches everything. */
export interface Selector {
  matches(obj: KObject): boolean;
  readonly empty: boolean;
}

type Op = 'in' | 'notin' | '=' | '==' | '!=' | 'gt' | 'lt' | 'exists' | '!';

interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

type Tok = 'id' | 'in' | 'notin' | 'eos' | '=' | '==' | '!=' | '!' | '(' | ')' | ',' | '>' | '<';

interface Token {
  tok: Tok;
  lit: string;
}

const symbols = new Set(['=', '==', '!=', '!', '(', ')', ',', '>', '<']);
const isSpecial = (c: string): boolean => '=!(),><'.includes(c);
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/** Every token of `text`, ending with `eos`. */
function lex(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && isSpace(text[i] ?? '')) i++;
    if (i >= text.length) {
      out.push({ tok: 'eos', lit: '' });
      return out;
    }
    const c = text[i] ?? '';
    if (isSpecial(c)) {
      // The longest run of symbol characters that is a known symbol (each one alone is one);
      // the character that ends it is read again as the next token.
      let symbol = c;
      i++;
      while (i < text.length && symbols.has(symbol + (text[i] ?? ''))) symbol += text[i++];
      out.push({ tok: symbol as Tok, lit: symbol });
      continue;
    }
    let word = '';
    while (i < text.length && !isSpace(text[i] ?? '') && !isSpecial(text[i] ?? '')) word += text[i++];
    out.push({ tok: word === 'in' || word === 'notin' ? word : 'id', lit: word });
  }
}

class ParseError extends Error {}

/** The parser over the tokens; `values` context reads `in`/`notin` as plain identifiers. */
class Parser {
  readonly #tokens: Token[];
  #pos = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  #at(values: boolean, consume: boolean): Token {
    const t = this.#tokens[Math.min(this.#pos, this.#tokens.length - 1)] ?? { tok: 'eos', lit: '' };
    if (consume && this.#pos < this.#tokens.length - 1) this.#pos++;
    return values && (t.tok === 'in' || t.tok === 'notin') ? { tok: 'id', lit: t.lit } : t;
  }

  peek(values = true): Token {
    return this.#at(values, false);
  }

  next(values = true): Token {
    return this.#at(values, true);
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek();
      if (tok === 'eos') return reqs;
      if (tok !== 'id' && tok !== '!') throw new ParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      reqs.push(this.#requirement());
      const after = this.next();
      if (after.tok === 'eos') return reqs;
      if (after.tok !== ',') throw new ParseError(`found '${after.lit}', expected: ',' or 'end of string'`);
      const following = this.peek();
      if (following.tok !== 'id' && following.tok !== '!') throw new ParseError(`found '${following.lit}', expected: identifier after ','`);
    }
  }

  #requirement(): Requirement {
    try {
      let t = this.next();
      let op: Op | undefined;
      if (t.tok === '!') {
        op = '!';
        t = this.next();
      }
      if (t.tok !== 'id') throw new ParseError(`found '${t.lit}', expected: identifier`);
      const key = t.lit;
      const keyProblems = qualifiedNameProblems(key);
      if (keyProblems.length > 0) throw new ParseError(`<nil>: Invalid value: ${JSON.stringify(key)}: ${keyProblems.join('; ')}`);
      const ahead = this.peek().tok;
      if (ahead === 'eos' || ahead === ',') return checked({ key, op: op ?? 'exists', values: [] });
      if (op === '!') return checked({ key, op, values: [] });
      const o = this.next(false);
      const ops: Partial<Record<Tok, Op>> = { in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt' };
      const binary = ops[o.tok];
      if (binary === undefined) throw new ParseError(`found '${o.lit}', expected: in, notin, =, ==, !=, gt, lt`);
      const values = binary === 'in' || binary === 'notin' ? this.#valueSet() : this.#exactValue();
      return checked({ key, op: binary, values });
    } catch (err) {
      if (err instanceof ParseError) throw new ParseError(`unable to parse requirement: ${err.message}`);
      throw err;
    }
  }

  #valueSet(): string[] {
    const open = this.next();
    if (open.tok !== '(') throw new ParseError(`found '${open.lit}' expected: '('`);
    const first = this.peek();
    if (first.tok === ')') {
      this.next();
      return [''];
    }
    if (first.tok !== 'id' && first.tok !== ',') throw new ParseError(`found '${first.lit}', expected: ',', ')' or identifier`);
    const values = new Set<string>();
    for (;;) {
      const t = this.next();
      if (t.tok === 'id') {
        values.add(t.lit);
        const after = this.peek();
        if (after.tok === ',') continue;
        if (after.tok === ')') break;
        throw new ParseError(`found '${after.lit}', expected: ',' or ')'`);
      } else if (t.tok === ',') {
        if (values.size === 0) values.add('');
        const after = this.peek();
        if (after.tok === ')') {
          values.add('');
          break;
        }
        if (after.tok === ',') {
          this.next();
          values.add('');
        }
      } else throw new ParseError(`found '${t.lit}', expected: ',', or identifier`);
    }
    const close = this.next();
    if (close.tok !== ')') throw new ParseError(`found '${first.lit}', expected: ')'`);
    return [...values].sort();
  }

  #exactValue(): string[] {
    const ahead = this.peek().tok;
    if (ahead === 'eos' || ahead === ',') return [''];
    const t = this.next();
    if (t.tok === 'id') return [t.lit];
    throw new ParseError(`found '${t.lit}', expected: identifier`);
  }
}

const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const labelValueMessage =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const int64 = /^[+-]?\d{1,19}$/;
const isInt64 = (v: string): boolean => int64.test(v) && BigInt(v) >= -(2n ** 63n) && BigInt(v) < 2n ** 63n;

/** kube's NewRequirement checks of the values; several problems are listed as `[a, b]`. */
function checked(req: Requirement): Requirement {
  const problems: string[] = [];
  if (req.op === 'gt' || req.op === 'lt') {
    req.values.forEach((v, i) => {
      if (!isInt64(v)) problems.push(`values[${i}]: Invalid value: ${JSON.stringify(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
    });
  }
  req.values.forEach((v, i) => {
    const bad: string[] = [];
    if (v.length > 63) bad.push('must be no more than 63 bytes');
    if (!labelValue.test(v)) bad.push(labelValueMessage);
    if (bad.length > 0) problems.push(`values[${i}][${req.key}]: Invalid value: ${JSON.stringify(v)}: ${bad.join('; ')}`);
  });
  if (problems.length === 1) throw new ParseError(problems[0]);
  if (problems.length > 1) throw new ParseError(`[${problems.join(', ')}]`);
  return req;
}

function matches(req: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const v = labels[req.key] ?? '';
  switch (req.op) {
    case 'exists':
      return has;
    case '!':
      return !has;
    case '=':
    case '==':
    case 'in':
      return has && req.values.includes(v);
    case '!=':
    case 'notin':
      return !has || !req.values.includes(v);
    case 'gt':
    case 'lt': {
      if (!has || !isInt64(v)) return false;
      const want = BigInt(req.values[0] ?? '0');
      return req.op === 'gt' ? BigInt(v) > want : BigInt(v) < want;
    }
  }
}

const MATCH_ALL: Selector = { matches: () => true, empty: true };

/** Parses a label selector (`a=b,c!=d,e in (x,y),!f,g,h>3`); a syntax error is kube's 400 with kube's message. */
export function parseLabelSelector(text: string | undefined): Selector {
  if (text === undefined) return MATCH_ALL;
  let reqs: Requirement[];
  try {
    reqs = new Parser(lex(text)).parse();
  } catch (err) {
    if (err instanceof ParseError) throw badRequest(err.message);
    throw err;
  }
  if (reqs.length === 0) return MATCH_ALL;
  return {
    empty: false,
    matches: (obj) => {
      const labels = obj.metadata.labels ?? {};
      return reqs.every((r) => matches(r, labels));
    },
  };
}
