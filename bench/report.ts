// Tables of a run: plain text for the terminal, Markdown for BENCHMARKS.md.
import { existsSync, readFileSync } from 'node:fs';
import { alternativeLabels, alternativeNames, type AlternativeName } from './alternatives/types.ts';
import type { RunResults, ScenarioResult } from './results.ts';

type Better = 'lower' | 'higher' | null;

interface Row {
  label: string;
  value: (r: ScenarioResult) => number | null;
  format: (v: number, r: ScenarioResult) => string;
  /** Shown when value is null. */
  missing?: (r: ScenarioResult) => string;
  better: Better;
}

function num(v: number, digits = 0): string {
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function bytes(v: number): string {
  if (Math.abs(v) < 1024) return `${num(v)} B`;
  if (Math.abs(v) < 1024 * 1024) return `${num(v / 1024, 1)} KiB`;
  return `${num(v / 2 ** 20, 1)} MiB`;
}

export function ms(v: number): string {
  if (v < 1) return `${num(v * 1000)} µs`;
  if (v < 10) return `${num(v, 2)} ms`;
  if (v < 1_000) return `${num(v)} ms`;
  return `${num(v / 1_000, 2)} s`;
}

function verbs(counts: Record<string, number> | null): string {
  if (counts === null) return '-';
  const parts = Object.entries(counts).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${num(v)}`);
  return parts.length === 0 ? '0' : parts.join(', ');
}

const rows: Row[] = [
  { label: 'all N readable after', value: (r) => r.ready?.ms ?? null, format: ms, missing: (r) => (r.ready === null ? 'not reached' : `${num(r.ready.readable)} of ${num(r.n)} readable`), better: 'lower' },
  { label: 'every watch open after', value: (r) => r.watching?.ms ?? null, format: ms, missing: (r) => (r.watching === null ? 'no watches' : `${num(r.watching.open)} of ${num(r.n)} open`), better: 'lower' },
  { label: 'client heap / object', value: (r) => r.memory?.heapPerObject ?? null, format: bytes, better: 'lower' },
  { label: 'client RSS / object', value: (r) => r.memory?.rssPerObject ?? null, format: bytes, better: 'lower' },
  { label: 'TCP connections to the server', value: (r) => r.connections.atReady, format: (v) => num(v), better: 'lower' },
  { label: 'HTTP/2 streams open', value: (r) => r.connections.client?.streams ?? null, format: (v) => num(v), missing: (r) => (r.alternative === 'informer' && r.connections.atReady !== null ? 'HTTP/1.1' : '-'), better: null },
  { label: 'requests until readable', value: (r) => total(r.requests.toReady), format: (_, r) => verbs(r.requests.toReady), better: 'lower' },
  { label: 'requests/s during updates (incl. probe reads)', value: (r) => r.requests.perSecondDuringUpdates, format: (v) => num(v, 1), better: 'lower' },
  { label: 'get() p50', value: (r) => r.get?.p50Us ?? null, format: (v) => `${num(v, 2)} µs`, better: 'lower' },
  { label: 'get() p99', value: (r) => r.get?.p99Us ?? null, format: (v) => `${num(v, 2)} µs`, better: 'lower' },
  { label: 'get() throughput, one caller', value: (r) => r.get?.opsPerSec ?? null, format: (v) => `${num(v)}/s`, better: 'higher' },
  { label: 'update → cache p50', value: (r) => r.propagation?.p50Ms ?? null, format: ms, better: 'lower' },
  { label: 'update → cache p99', value: (r) => r.propagation?.p99Ms ?? null, format: ms, better: 'lower' },
  { label: 'update → cache max', value: (r) => r.propagation?.maxMs ?? null, format: ms, better: 'lower' },
  {
    label: 'updates seen / sent',
    value: (r) => (r.propagation === null ? null : r.propagation.seen),
    format: (_, r) => `${num(r.propagation?.seen ?? 0)} / ${num(r.propagation?.updates ?? 0)}${(r.propagation?.writerErrors ?? 0) > 0 ? ` (${r.propagation?.writerErrors} write errors)` : ''}`,
    better: null,
  },
  { label: 'register+unregister, pods of 10 refs', value: (r) => r.register?.podOpsPerSec ?? null, format: (v) => `${num(v)} pods/s`, better: 'higher' },
  {
    label: 'lists/watches left after unregistering (≤ 5 s wait)',
    value: (r) => r.register?.left ?? null,
    format: (v, r) => (v === 0 ? `0 (settled in ${ms(r.register?.settleMs ?? 0)})` : num(v)),
    missing: (r) => (r.register === null ? '-' : 'none kept'),
    better: null,
  },
  { label: 'requests per registered pod', value: (r) => (r.register === null ? null : (total(r.register.requests) ?? 0) / (r.register.podsPerRound * r.register.rounds)), format: (v) => num(v, 2), better: 'lower' },
];

function total(counts: Record<string, number> | null): number | null {
  return counts === null ? null : Object.values(counts).reduce((a, b) => a + b, 0);
}

function ratio(ours: number | null, theirs: number | null): string {
  if (ours === null || theirs === null || theirs === 0 || ours === 0) return '-';
  const r = ours / theirs;
  return r >= 100 ? `${num(r)}×` : r >= 10 ? `${num(r, 1)}×` : r >= 0.01 ? `${num(r, 2)}×` : `${r.toPrecision(2)}×`;
}

function cell(row: Row, r: ScenarioResult | undefined): string {
  if (r === undefined) return 'not run';
  const v = row.value(r);
  return v === null ? (row.missing?.(r) ?? '-') : row.format(v, r);
}

interface Table {
  header: string[];
  body: string[][];
}

function tableFor(results: RunResults, n: number): Table {
  const present = alternativeNames.filter((a) => results.scenarios.some((s) => s.n === n && s.alternative === a));
  const by = (a: AlternativeName): ScenarioResult | undefined => results.scenarios.find((s) => s.n === n && s.alternative === a);
  const others = present.filter((a) => a !== 'watch');
  const header = ['N = ' + num(n), ...present.map((a) => alternativeLabels[a]), ...(present.includes('watch') ? others.map((a) => `ours / ${a}`) : [])];
  const body = rows.map((row) => {
    const ours = by('watch');
    const oursValue = ours === undefined ? null : row.value(ours);
    return [
      row.label + (row.better === null ? '' : row.better === 'lower' ? ' ↓' : ' ↑'),
      ...present.map((a) => cell(row, by(a))),
      ...(present.includes('watch') ? others.map((a) => { const t = by(a); return row.better === null || t === undefined ? '' : ratio(oursValue, row.value(t)); }) : []),
    ];
  });
  const sources = new Set(present.map((a) => by(a)?.source).filter((x) => x !== undefined));
  if (sources.size > 1) body.push(['src/ commit (changed during the run)', ...present.map((a) => by(a)?.source ?? '-'), ...header.slice(present.length + 1).map(() => '')]);
  const failures = present.flatMap((a) => (by(a)?.failures ?? []).map((f) => `${alternativeLabels[a]}: ${f}`));
  if (failures.length > 0) body.push(['failures', failures.join('; '), ...header.slice(2).map(() => '')]);
  return { header, body };
}

function plain(t: Table): string {
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.body.map((r) => (i === 1 && r[0] === 'failures' ? 0 : (r[i] ?? '').length))));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(t.header), line(widths.map((w) => '-'.repeat(w))), ...t.body.map(line)].join('\n');
}

function markdown(t: Table): string {
  const esc = (s: string): string => s.replaceAll('|', '\\|');
  return [`| ${t.header.map(esc).join(' | ')} |`, `|${t.header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...t.body.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

/** Whether the watching manager met the targets of issue 6 (N = 10,000, propagation at 1,000). */
export function targets(results: RunResults): string[][] {
  const at = (n: number): ScenarioResult | undefined => results.scenarios.find((s) => s.alternative === 'watch' && s.n === n);
  const big = at(10_000);
  const mid = at(1_000);
  const out: string[][] = [];
  const add = (what: string, target: string, value: number | null | undefined, limit: number, show: (v: number) => string, missing: string): void => {
    out.push([what, target, value === null || value === undefined ? missing : show(value), value === null || value === undefined ? 'missed' : value <= limit ? 'met' : 'missed']);
  };
  const limit = Math.ceil(10_000 / 100) + 1;
  add('all 10,000 objects readable', '≤ 5 s', big?.ready?.ms, 5_000, ms, big === undefined ? 'not run' : `${big.ready?.readable ?? 0} readable`);
  add('connections at 10,000 (stream limit 100)', `≤ ${limit}`, big?.connections.atReady, limit, (v) => `${num(v)} TCP (client: ${big?.connections.client?.http2Connections ?? '?'} HTTP/2)`, 'not run');
  add('client heap per watched object at 10,000', '≤ 4 KiB', big?.memory?.heapPerObject, 4096, (v) => `${bytes(v)} (RSS ${bytes(big?.memory?.rssPerObject ?? 0)})`, 'not run');
  add('cached get() p50 at 10,000', '< 2 µs', big?.get?.p50Us, 2, (v) => `${num(v, 2)} µs`, 'not run');
  add('update → cache p99 at 1,000', '< 20 ms', mid?.propagation?.p99Ms, 20, ms, 'not run');
  return out;
}

export function renderTables(results: RunResults): string {
  const parts = results.sizes.map((n) => plain(tableFor(results, n)));
  const t = targets(results);
  if (results.sizes.includes(10_000) || results.sizes.includes(1_000)) {
    parts.push(plain({ header: ['target (watch, HTTP/2)', 'goal', 'measured', ''], body: t.filter((r) => !r[2]?.startsWith('not run')) }));
  }
  return parts.join('\n\n');
}

function changedDuring(results: RunResults): string {
  const seen = [...new Set(results.scenarios.map((s) => s.source).filter((x) => x !== undefined))];
  return seen.length > 1 ? ` (src/ changed during the run: the scenarios ran on ${seen.join(', ')}; see the tables)` : '';
}

export function renderMarkdown(results: RunResults): string {
  const m = results.machine;
  const s = results.settings;
  const notesUrl = new URL('notes.md', import.meta.url);
  const notes = existsSync(notesUrl) ? readFileSync(notesUrl, 'utf8').trim() : '';
  return `# Benchmarks

Generated by \`${results.command}\` (bench/run.ts) on ${results.date.slice(0, 16).replace('T', ' ')} UTC; the whole run took ${num(results.totalMs / 1000)} s.
${results.source === undefined ? '' : `Code measured: src/ at commit ${results.source.commit}${results.source.dirty ? ' with uncommitted changes' : ''}${changedDuring(results)}. `}Raw numbers: [bench/results/full.json](bench/results/full.json).

| machine | |
|---|---|
| CPU | ${m.cpu}, ${m.cores} cores |
| RAM | ${m.memoryGiB} GiB |
| Node.js | ${m.node} (${m.platform}) |
| open files limit | ${m.openFilesLimit} |
| load average (1 min) | ${m.loadAverage === undefined ? 'not recorded' : `${num(m.loadAverage.start, 2)} at the start, ${num(m.loadAverage.end, 2)} at the end (other engineers' test runs shared the machine)`} |

**Set-up.** For each N, \`kom apiserver\` (the embedded API server, HTTPS with h2 and HTTP/1.1, 100 streams
per HTTP/2 connection like kube-apiserver) runs in a process of its own, and N secrets are created in it
through raw HTTP/2 (${Object.entries(results.seedMs).map(([n, v]) => `${num(Number(n))} in ${ms(v)}`).join(', ')}).
Each strategy then runs in a fresh process (\`--expose-gc\`), one after the other, on the same server:
pods of 10 secret volumes each are registered until N distinct secrets are referenced, and the scenario
waits until every secret is readable (bounded at ${s.readyTimeoutMs / 1000} s).
Memory is \`process.memoryUsage()\` after full GCs, before registering and once everything is readable,
divided by N. Connections are the process's ESTABLISHED TCP sockets to the server port, read from /proc
(the client's own count too for ours). Requests are counted in the client (ours through
\`src/cli/counting-client.ts\`, the informer by wrapping its list function and its \`Watch\`).
\`get()\` is timed call by call with \`performance.now()\` for ${s.getBudgetMs / 1000} s (one caller, awaiting
each call; the informer's \`ObjectCache.get\` is synchronous and called as such), then counted for
${s.getBudgetMs / 1000} s more for throughput. Updates: a separate HTTP/2 connection in the scenario process
merge-patches 1% of the objects per second (at least 1/s) for ${s.updateSeconds} s, each with a new value in
\`data.v\`; propagation is the time from the PATCH response to the strategy serving the new value (polled
on every event-loop turn with \`setImmediate\`; given up after ${s.propagationTimeoutMs / 1000} s). The TTL manager
runs with a ${s.ttlMs / 1000} s TTL (the kubelet's default is 60 s). Register/unregister: after all pods are
unregistered, rounds of up to 100 new pods of 10 references each are registered, then unregistered,
for ${s.registerBudgetMs / 1000} s.

Columns \`ours / X\` divide the watching manager's value by X's: below 1 is better for ours on rows
marked ↓, above 1 on rows marked ↑.

## Targets (watching manager over HTTP/2)

| target | goal | measured | |
|---|---|---|---|
${targets(results).map((r) => `| ${r.join(' | ')} |`).join('\n')}

![heap per object and propagation latency against N](bench/results/chart.svg)

${results.sizes.map((n) => `## N = ${num(n)}\n\n${markdown(tableFor(results, n))}`).join('\n\n')}

${notes}
`;
}
