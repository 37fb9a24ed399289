// Tables of a run: plain text for the terminal, Markdown for BENCHMARKS.md.
import { existsSync, readFileSync } from 'node:fs';
import { alternativeLabels, alternativeNames, comparedWith } from './alternatives/types.ts';
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
  { label: 'HTTP/2 streams open', value: (r) => r.connections.client?.streams ?? null, format: (v) => num(v), missing: (r) => (['informer', 'ns-informer', 'fluent'].includes(r.alternative) && r.connections.atReady !== null ? 'HTTP/1.1' : '-'), better: null },
  { label: 'requests until readable', value: (r) => total(r.requests.toReady), format: (_, r) => verbs(r.requests.toReady), better: 'lower' },
  { label: 'requests/s during updates (incl. probe reads)', value: (r) => r.requests.perSecondDuringUpdates, format: (v) => num(v, 1), better: 'lower' },
  { label: 'get() p50', value: (r) => r.get?.p50Us ?? null, format: (v) => `${num(v, 2)} µs`, missing: (r) => (r.untimedGets === undefined ? '-' : 'not timed (pipe)'), better: 'lower' },
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

interface Table {
  header: string[];
  body: string[][];
}

/** One column of a table: a strategy, in a namespace where every secret is referenced (crowd 1) or crowded. */
interface Column {
  label: string;
  result: ScenarioResult;
}

const serverOf = (r: ScenarioResult): string => r.server ?? 'embedded';
const crowdOf = (r: ScenarioResult): number => r.crowd ?? 1;

function columnsFor(results: RunResults, server: string, n: number): Column[] {
  const here = results.scenarios.filter((s) => s.n === n && serverOf(s) === server);
  const crowds = [...new Set(here.map(crowdOf))].sort((a, b) => a - b);
  return crowds.flatMap((crowd) =>
    alternativeNames.flatMap((a) => {
      const result = here.find((s) => s.alternative === a && crowdOf(s) === crowd);
      return result === undefined ? [] : [{ label: alternativeLabels[a] + (crowd > 1 ? `, ${crowd}× secrets` : ''), result }];
    }),
  );
}

function tableFor(results: RunResults, server: string, n: number): Table {
  const columns = columnsFor(results, server, n);
  // `ours / X`: the watching manager in the same namespace (crowded or not) against each peer.
  const ratios = columns.filter((c) => comparedWith.includes(c.result.alternative));
  const oursFor = (c: Column): ScenarioResult | undefined => columns.find((o) => o.result.alternative === 'watch' && crowdOf(o.result) === crowdOf(c.result))?.result;
  const header = [`N = ${num(n)}`, ...columns.map((c) => c.label), ...ratios.map((c) => `ours / ${c.result.alternative}${crowdOf(c.result) > 1 ? ` ${crowdOf(c.result)}×` : ''}`)];
  const body = rows.map((row) => [
    row.label + (row.better === null ? '' : row.better === 'lower' ? ' ↓' : ' ↑'),
    ...columns.map((c) => cell(row, c.result)),
    ...ratios.map((c) => {
      const ours = oursFor(c);
      return row.better === null || ours === undefined ? '' : ratio(row.value(ours), row.value(c.result));
    }),
  ]);
  const sources = new Set(columns.map((c) => c.result.source).filter((x) => x !== undefined));
  if (sources.size > 1) body.push(['src/ commit (changed during the run)', ...columns.map((c) => c.result.source ?? '-'), ...ratios.map(() => '')]);
  const failures = columns.flatMap((c) => c.result.failures.map((f) => `${c.label}: ${f}`));
  if (failures.length > 0) body.push(['failures', failures.join('; '), ...header.slice(2).map(() => '')]);
  return { header, body };
}

function cell(row: Row, r: ScenarioResult): string {
  const v = row.value(r);
  return v === null ? (row.missing?.(r) ?? '-') : row.format(v, r);
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

/** Whether the watching manager met issue 13's targets on one server (N = 10,000; the peers from the same run). */
export function targets(results: RunResults, server: string): string[][] {
  const at = (alternative: string, n: number): ScenarioResult | undefined =>
    results.scenarios.find((s) => s.alternative === alternative && s.n === n && serverOf(s) === server && crowdOf(s) === 1);
  const big = at('watch', 10_000);
  const mid = at('watch', 1_000);
  const kubelet = at('kubelet', 10_000);
  const out: string[][] = [];
  const add = (what: string, target: string, value: number | null | undefined, met: (v: number) => boolean, show: (v: number) => string, missing: string): void => {
    const absent = value === null || value === undefined;
    out.push([what, target, absent ? missing : show(value), absent ? 'missed' : met(value) ? 'met' : 'missed']);
  };
  const notRun = big === undefined ? 'not run' : 'not reached';
  const requests = big === null || big === undefined ? null : total(big.requests.toReady);
  add('client heap per watched object at 10,000', '≤ 3 KiB', big?.memory?.heapPerObject, (v) => v <= 3072, bytes, notRun);
  const kubeletRss = kubelet?.memory?.rssPerObject;
  add(
    'client RSS growth per watched object at 10,000',
    "≤ 12 KiB, and ≤ the kubelet's Go manager",
    big?.memory?.rssPerObject,
    (v) => v <= 12 * 1024 && (kubeletRss === undefined || v <= kubeletRss),
    (v) => `${bytes(v)} (kubelet: ${kubeletRss === undefined ? 'not run' : bytes(kubeletRss)})`,
    notRun,
  );
  add('all 10,000 objects readable', '≤ 1.5 s', big?.ready?.ms, (v) => v <= 1_500, ms, notRun);
  add('every watch open at 10,000', '≤ 1.5 s', big?.watching?.ms, (v) => v <= 1_500, ms, notRun);
  add('requests until readable at 10,000', '1 per object (WatchList)', requests, (v) => v <= 10_000, (v) => `${num(v / 10_000, 2)} per object (${verbs(big?.requests.toReady ?? null)})`, notRun);
  const limit = Math.ceil(10_000 / 100) + 1;
  add('connections at 10,000 (stream limit 100)', `≤ ${limit}`, big?.connections.atReady, (v) => v <= limit, (v) => `${num(v)} TCP (client: ${big?.connections.client?.http2Connections ?? '?'} HTTP/2)`, notRun);
  add('cached get() p50 at 10,000', '< 2 µs', big?.get?.p50Us, (v) => v < 2, (v) => `${num(v, 2)} µs`, notRun);
  add('update → cache p99 at 1,000', '< 20 ms', mid?.propagation?.p99Ms, (v) => v < 20, ms, mid === undefined ? 'not run' : 'not reached');
  return out;
}

function serversOf(results: RunResults): string[] {
  return [...new Set(results.scenarios.map(serverOf))];
}

const serverTitle = (server: string): string => (server === 'kube' ? 'kube-apiserver v1.37.2 with etcd' : 'embedded API server (kom apiserver)');

export function renderTables(results: RunResults): string {
  const parts: string[] = [];
  for (const server of serversOf(results)) {
    parts.push(`== ${serverTitle(server)} ==`);
    for (const n of results.sizes) if (columnsFor(results, server, n).length > 0) parts.push(plain(tableFor(results, server, n)));
    if (results.sizes.includes(10_000) || results.sizes.includes(1_000)) {
      parts.push(plain({ header: ['target (watch, HTTP/2)', 'goal', 'measured', ''], body: targets(results, server).filter((r) => !r[2]?.startsWith('not run')) }));
    }
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

**Set-up.** For each server and N, the server runs in processes of its own: the embedded API server
(\`kom apiserver\`: HTTPS with h2 and HTTP/1.1, 100 streams per HTTP/2 connection like kube-apiserver), or
kube-apiserver v1.37.2 with etcd v3.7.0, built from their Go modules by \`npm run kube:build\` and started by
\`startControlPlane()\` (the same 100-stream limit). N secrets are created in namespace \`bench\` through raw
HTTP/2 (${Object.entries(results.seedMs).map(([k, v]) => `${k.replace(/ (\d+)/, (_, n: string) => ` ${num(Number(n))}`)}: ${ms(v)}`).join('; ')}).
Each strategy then runs in a fresh process (\`--expose-gc\`), one after the other, on the same server:
pods of 10 secret volumes each are registered until N distinct secrets are referenced, and the scenario
waits until every secret is readable (bounded at ${s.readyTimeoutMs / 1000} s). Then (crowd − 1) × N secrets
that no pod references are added, and the namespace-wide informer and ours run again ("10× secrets"
columns): the informer lists, watches and holds all of them.

The strategies:
- **watch (ours)**, **GET per access** and **TTL cache**: this library's three managers over one \`createClient()\`.
- **the kubelet's Go watching manager**: \`kube/cmd/kubelet-managers --strategy watch\` (the kubelet's own
  \`NewObjectCache\` under \`NewCacheBasedManager\`, client-go v0.37.2), driven over its JSON-lines protocol.
  Its memory is the Go process's live heap after two \`runtime.GC()\` and its RSS; its connections come from
  its /proc entry; its requests from client-go's own log (-v 6). It runs without client-go's rate limiter
  (the kubelet has 50 QPS, burst 100, which at two requests per object alone would take N / 25 s).
  Readiness is polled every 10 ms with its \`entries\` op (fake clock: the clock only drives its idle check);
  reads cross a pipe, so get() is not timed and propagation includes one pipe round trip.
- **client-node informer/namespace**: one \`ListWatch\` over every Secret of the namespace (the common
  TypeScript pattern); registering a pod costs nothing.
- **client-node informer/object**: one \`ListWatch\` per referenced secret with the field selector
  \`metadata.name=<name>\`, reference-counted by pod.
- **kubernetes-fluent-client Watch/object**: \`K8s(Secret, { namespace, name }).Watch()\` per referenced
  secret (version 3.11.11; it lists, then watches, over undici fetch and HTTP/1.1: it has no HTTP/2 mode for
  watches); requests counted on undici's diagnostics channel.
- **floor**: one bare \`node:http2\` watch stream per referenced secret, 100 to a connection, with the last
  object parsed and kept, and nothing else: what any watching cache must at least pay.

Memory is \`process.memoryUsage()\` after full GCs (the Go peer: above), before registering and once
everything is readable, divided by N. Connections are ESTABLISHED TCP sockets to the server port, read from
/proc (the client's own count too for ours). Requests are counted in the client (ours through
\`src/cli/counting-client.ts\`, the informers by wrapping their list function and their \`Watch\`).
\`get()\` is timed call by call with \`performance.now()\` for ${s.getBudgetMs / 1000} s (one caller, awaiting
each call; synchronous caches are called as such), then counted for ${s.getBudgetMs / 1000} s more for
throughput. Updates: a separate HTTP/2 connection in the scenario process merge-patches 1% of the objects
per second (at least 1/s) for ${s.updateSeconds} s, each with a new value in \`data.v\`; propagation is the
time from the PATCH response to the strategy serving the new value (polled on every event-loop turn with
\`setImmediate\`; given up after ${s.propagationTimeoutMs / 1000} s). The TTL manager runs with a ${s.ttlMs / 1000} s
TTL (the kubelet's default is 60 s). Register/unregister: after all pods are unregistered, rounds of up to
100 new pods of 10 references each are registered, then unregistered, for ${s.registerBudgetMs / 1000} s.

Columns \`ours / X\` divide the watching manager's value by X's (in the same namespace): below 1 is better
for ours on rows marked ↓, above 1 on rows marked ↑.

![heap per object and propagation latency against N (embedded server)](bench/results/chart.svg)

${serversOf(results)
  .map(
    (server) => `## ${serverTitle(server)}

### Targets (watching manager over HTTP/2, issue 13)

| target | goal | measured | |
|---|---|---|---|
${targets(results, server).map((r) => `| ${r.join(' | ')} |`).join('\n')}

${results.sizes
  .filter((n) => columnsFor(results, server, n).length > 0)
  .map((n) => `### N = ${num(n)}\n\n${markdown(tableFor(results, server, n))}`)
  .join('\n\n')}`,
  )
  .join('\n\n')}

${notes}
`;
}
