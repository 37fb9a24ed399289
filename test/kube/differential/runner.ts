// Sends each group of the corpus to both servers, step by step in the same
// order (both servers at once), and compares the normalised answers.
import { isAction, type Group, type Step } from './case.ts';
import { differences, type Difference } from './compare.ts';
import { send, type Answer, type Target } from './http.ts';
import { normaliseAnswer, Tokens, type Normalised } from './normalise.ts';

/** Both servers: where to send, and the faults both can apply. */
export interface Side {
  target: Target;
  /** Forgets history older than now (etcd compaction; the embedded server's compactHistory). */
  compact: () => Promise<void>;
}

export interface CaseResult {
  id: string;
  topic: string;
  real: Normalised;
  embedded: Normalised;
  differences: Difference[];
}

export interface RunResult {
  cases: CaseResult[];
  /** Set-up steps that did not answer 2xx on a server: the corpus itself is wrong. */
  setupFailures: string[];
}

/** Namespaces (and cluster-scoped names) of the corpus start with this; the rest is the real cluster's own. */
export const prefix = 'diff-';

type Vars = Map<string, string>;

function fill(text: string, vars: Vars): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => vars.get(name) ?? whole);
}

function pick(value: unknown, path: string): unknown {
  let here = value;
  for (const key of path.split('.')) {
    if (typeof here !== 'object' || here === null) return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

interface Sent {
  answer: Answer;
  during: Answer[];
}

async function sendStep(target: Target, step: Step, vars: Vars): Promise<Sent> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string | undefined;
  if (step.body !== undefined) {
    body = fill(typeof step.body === 'string' ? step.body : JSON.stringify(step.body), vars);
    headers['content-type'] = 'application/json';
  }
  for (const [k, v] of Object.entries(step.headers ?? {})) headers[k.toLowerCase()] = fill(v, vars);
  const during: Answer[] = [];
  let duringDone: Promise<void> = Promise.resolve();
  const answer = await send(target, {
    method: step.method,
    path: fill(step.path, vars),
    headers,
    ...(body === undefined ? {} : { body }),
    ...(step.watch === undefined ? {} : { watchEvents: step.watch.events }),
    onOpen: () => {
      duringDone = (async () => {
        for (const inner of step.watch?.during ?? []) during.push((await sendStep(target, inner, vars)).answer);
      })();
      return duringDone;
    },
  });
  await duringDone;
  if (step.save !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      parsed = undefined;
    }
    for (const [name, path] of Object.entries(step.save)) {
      const value = pick(parsed, path);
      if (typeof value === 'string' || typeof value === 'number') vars.set(name, String(value));
    }
  }
  return { answer, during };
}

export async function runCorpus(groups: Group[], real: Side, embedded: Side): Promise<RunResult> {
  const cases: CaseResult[] = [];
  const setupFailures: string[] = [];
  for (const group of groups) {
    const ns = `${prefix}${group.name}`;
    const sides = [real, embedded].map((side) => ({ side, vars: new Map([['ns', ns]]), tokens: new Tokens(side.target.url) }));
    if (group.namespace !== false) {
      for (const { side } of sides) {
        const made = await send(side.target, { method: 'POST', path: '/api/v1/namespaces', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ metadata: { name: ns } }) });
        if (made.status !== 201) setupFailures.push(`${group.name}: namespace ${ns} on ${side.target.label}: ${made.status} ${made.text.slice(0, 200)}`);
      }
    }
    for (const entry of group.steps) {
      if (isAction(entry)) {
        await Promise.all(sides.map(({ side }) => side.compact()));
        continue;
      }
      const sent = await Promise.all(sides.map(({ side, vars }) => sendStep(side.target, entry, vars)));
      const [r, e] = sent as [Sent, Sent];
      const [rs, es] = sides as [(typeof sides)[0], (typeof sides)[0]];
      const id = `${group.name}/${entry.name}`;
      if (entry.setup === true) {
        for (const [label, s] of [['real', r], ['embedded', e]] as const) {
          if (s.answer.status < 200 || s.answer.status > 299) setupFailures.push(`${id} on ${label}: ${s.answer.status} ${s.answer.text.slice(0, 300)}`);
        }
        // Set-up answers still feed the tokens, so later RVs and uids are numbered alike.
        normaliseAnswer(r.answer, rs.tokens, prefix);
        normaliseAnswer(e.answer, es.tokens, prefix);
        continue;
      }
      (entry.watch?.during ?? []).forEach((inner, i) => {
        const rn = normaliseAnswer(r.during[i] ?? missing, rs.tokens, prefix);
        const en = normaliseAnswer(e.during[i] ?? missing, es.tokens, prefix);
        cases.push({ id: `${id}/${inner.name}`, topic: group.topic, real: rn, embedded: en, differences: differences(rn, en) });
      });
      const rn = normaliseAnswer(r.answer, rs.tokens, prefix);
      const en = normaliseAnswer(e.answer, es.tokens, prefix);
      cases.push({ id, topic: group.topic, real: rn, embedded: en, differences: differences(rn, en) });
    }
  }
  return { cases, setupFailures };
}

const missing: Answer = { status: 0, headers: {}, text: 'not sent: the watch ended before' };
