// npm run bench [-- --quick] [-- --sizes 100,1000] [-- --only watch,ttl] [-- --server embedded|kube|both]
//               [-- --crowd 10] [-- --profile] [-- --heap-snapshot] [-- --render]
//
// For each server and N: starts the server (`kom apiserver` in a process of
// its own, or kube-apiserver with etcd), creates N secrets through raw HTTP/2,
// then runs each strategy in a fresh process (bench/scenario.ts, --expose-gc)
// against it, one after the other, with a bounded time. Then it adds
// (crowd - 1) × N secrets that no pod references and runs the namespace-wide
// informer and ours again. Writes bench/results/<full|quick>.json; a full run
// also writes bench/results/chart.svg and BENCHMARKS.md.
import { fork } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { alternativeNames, type AlternativeName } from './alternatives/types.ts';
import { renderChart } from './chart.ts';
import { renderMarkdown, renderTables } from './report.ts';
import type { Machine, RunResults, ScenarioResult, ScenarioSettings } from './results.ts';
import { kubeServerAvailable, startKubeServer } from './kube-server.ts';
import { alive, startServerProcess } from './server.ts';
import { seedSecrets, unreferencedName, type Target } from './target.ts';

type ServerKind = 'embedded' | 'kube';

/** The strategies run again in the crowded namespace: the one that pays for every secret, and ours. */
const crowdedAlternatives: readonly AlternativeName[] = ['ns-informer', 'watch'];

const resultsDir = new URL('results/', import.meta.url);
const scenarioScript = new URL('scenario.ts', import.meta.url).pathname;

function machine(): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  let limit = 'unknown';
  try {
    limit = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  } catch {
    // no shell
  }
  return { cpu: model.trim(), cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${process.arch}`, openFilesLimit: limit, loadAverage: { start: loadavg()[0] ?? 0, end: 0 } };
}

function sourceVersion(): { commit: string; dirty: boolean } | undefined {
  try {
    const commit = execFileSync('git', ['log', '-1', '--format=%h', '--', 'src'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim() !== '';
    return { commit, dirty };
  } catch {
    return undefined;
  }
}

interface Where {
  server: ServerKind;
  crowd: number;
}

function runScenario(alternative: AlternativeName, n: number, target: Target, where: Where, settings: ScenarioSettings, timeoutMs: number, extraArgv: string[], extraArgs: string[]): Promise<ScenarioResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const args = ['--alternative', alternative, '--n', String(n), '--kubeconfig', target.kubeconfigPath, '--settings', JSON.stringify(settings), '--server', where.server, '--crowd', String(where.crowd)];
    const child = fork(scenarioScript, [...args, ...extraArgs], {
      execArgv: ['--expose-gc', '--max-old-space-size=8192', ...extraArgv],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    let last: ScenarioResult | undefined;
    let crash: string | undefined;
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-2000)));
    child.on('message', (msg: { type: string; result?: ScenarioResult; message?: string }) => {
      if (msg.type === 'progress' && msg.result !== undefined) {
        last = msg.result;
        process.stderr.write(`  ${alternative}${where.crowd > 1 ? ` (${where.crowd}× secrets)` : ''} N=${n} on ${where.server}: ${last.phase} (${(last.durationMs / 1000).toFixed(1)} s)\n`);
      } else if (msg.type === 'crash') crash = msg.message;
    });
    const timer = setTimeout(() => {
      crash = `stopped by the bench after ${timeoutMs / 1000} s, during phase "${last?.phase ?? 'setup'}"`;
      child.kill('SIGKILL');
    }, timeoutMs);
    // Some exits were never reported by an 'exit' event here (see server.ts): watch the pid too.
    const poll = setInterval(() => {
      if (!alive(child.pid)) finish(child.exitCode ?? (last?.phase === 'done' ? 0 : null), child.signalCode);
    }, 250);
    let finished = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearInterval(poll);
      const result: ScenarioResult = last ?? {
        alternative, n, server: where.server, crowd: where.crowd, phase: 'setup', failures: [], ready: null, watching: null, memory: null, connections: { atReady: null, afterUpdates: null, client: null, fds: null },
        requests: { toReady: null, duringUpdates: null, perSecondDuringUpdates: null, total: null }, get: null, propagation: null, register: null, errors: {}, durationMs: 0,
      };
      result.durationMs = performance.now() - started;
      if (result.phase !== 'done' || code !== 0) {
        const why = crash ?? `exited with ${signal ?? String(code)} during phase "${result.phase}"${stderr.trim() === '' ? '' : `: ${stderr.trim().split('\n').slice(-3).join(' | ')}`}`;
        result.exit = why;
        result.failures.push(why);
      }
      resolve(result);
    };
    child.once('exit', finish);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' }, sizes: { type: 'string' }, only: { type: 'string' }, profile: { type: 'boolean' }, render: { type: 'boolean' }, 'heap-snapshot': { type: 'boolean' }, out: { type: 'string' },
      server: { type: 'string' }, crowd: { type: 'string' },
    },
  });
  if (values.render === true) {
    // Re-renders the chart and BENCHMARKS.md from the last full run (after editing bench/notes.md).
    const results = JSON.parse(readFileSync(new URL('full.json', resultsDir), 'utf8')) as RunResults;
    writeFileSync(new URL('chart.svg', resultsDir), renderChart(results));
    writeFileSync(new URL('../../BENCHMARKS.md', resultsDir), renderMarkdown(results));
    process.stdout.write(`${renderTables(results)}\n`);
    return;
  }
  const quick = values.quick === true;
  const sizes = values.sizes !== undefined ? values.sizes.split(',').map(Number) : quick ? [1_000] : [100, 1_000, 10_000];
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 100_000)) throw new TypeError(`--sizes must be integers from 1 to 100000, got ${values.sizes}`);
  const only = (values.only?.split(',') ?? [...alternativeNames]) as AlternativeName[];
  for (const a of only) if (!alternativeNames.includes(a)) throw new TypeError(`--only takes ${alternativeNames.join(', ')}; got ${a}`);
  const built = kubeServerAvailable();
  const serverChoice = values.server ?? (quick || !built ? 'embedded' : 'both');
  if (!['embedded', 'kube', 'both'].includes(serverChoice)) throw new TypeError(`--server takes embedded, kube or both; got ${serverChoice}`);
  const servers: ServerKind[] = serverChoice === 'both' ? ['embedded', 'kube'] : [serverChoice as ServerKind];
  if (servers.includes('kube') && !built) throw new Error('--server kube needs kube-apiserver and etcd: run `npm run kube:build` (needs Go) or set KUBEBUILDER_ASSETS');
  if (only.includes('kubelet') && !built) throw new Error("the kubelet's Go manager is not built: run `npm run kube:build` (needs Go), or leave it out with --only");
  const crowd = Number(values.crowd ?? (quick ? '1' : '10'));
  if (!Number.isInteger(crowd) || crowd < 1 || crowd > 100) throw new TypeError(`--crowd must be an integer from 1 to 100, got ${values.crowd}`);
  const settings: ScenarioSettings = quick
    ? { readyTimeoutMs: 20_000, getBudgetMs: 400, updateSeconds: 4, propagationTimeoutMs: 8_000, registerBudgetMs: 400, ttlMs: 3_000 }
    : { readyTimeoutMs: 60_000, getBudgetMs: 1_000, updateSeconds: 10, propagationTimeoutMs: 15_000, registerBudgetMs: 1_000, ttlMs: 5_000 };
  const started = performance.now();
  const results: RunResults = {
    date: new Date().toISOString(), command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    source: sourceVersion(), machine: machine(), settings, sizes, seedMs: {}, scenarios: [], totalMs: 0,
  };
  const m = results.machine;
  process.stderr.write(`bench: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}; N = ${sizes.join(', ')}; ${only.join(', ')}\n`);
  const timeoutMs = settings.readyTimeoutMs + settings.updateSeconds * 1000 + settings.propagationTimeoutMs + 4 * settings.getBudgetMs + 90_000;
  const profiles = new URL('profiles/', resultsDir).pathname;
  if (values.profile === true || values['heap-snapshot'] === true) mkdirSync(profiles, { recursive: true });
  const run = (alternative: AlternativeName, n: number, target: Target, where: Where): Promise<ScenarioResult> => {
    const tag = `${alternative}-${n}-${where.server}${where.crowd > 1 ? `-crowd${where.crowd}` : ''}`;
    const profile = values.profile === true ? [`--cpu-prof`, `--cpu-prof-dir=${profiles}`, `--cpu-prof-name=${tag}.cpuprofile`] : [];
    const snapshot = values['heap-snapshot'] === true ? ['--heap-snapshot', `${profiles}${tag}.heapsnapshot`] : [];
    return runScenario(alternative, n, target, where, settings, timeoutMs, profile, snapshot);
  };
  for (const kind of servers) {
    for (const n of sizes) {
      const server = kind === 'kube' ? await startKubeServer() : await startServerProcess();
      try {
        const seedMs = await seedSecrets(server.target, n);
        results.seedMs[`${kind} ${n}`] = seedMs;
        process.stderr.write(`N=${n}: ${kind === 'kube' ? 'kube-apiserver' : `kom apiserver pid ${server.pid}`} at ${server.target.url}; ${n} secrets created in ${(seedMs / 1000).toFixed(1)} s\n`);
        for (const alternative of only) results.scenarios.push(await run(alternative, n, server.target, { server: kind, crowd: 1 }));
        const crowded = only.filter((a) => crowdedAlternatives.includes(a));
        if (crowd > 1 && crowded.length > 0) {
          const extraMs = await seedSecrets(server.target, (crowd - 1) * n, unreferencedName);
          results.seedMs[`${kind} ${n} crowd ${crowd}`] = extraMs;
          process.stderr.write(`N=${n}: ${(crowd - 1) * n} unreferenced secrets created in ${(extraMs / 1000).toFixed(1)} s\n`);
          for (const alternative of crowded) results.scenarios.push(await run(alternative, n, server.target, { server: kind, crowd }));
        }
      } finally {
        await server.stop();
      }
    }
  }
  results.totalMs = performance.now() - started;
  if (results.machine.loadAverage !== undefined) results.machine.loadAverage.end = loadavg()[0] ?? 0;
  mkdirSync(resultsDir, { recursive: true });
  const name = values.out ?? (quick ? 'quick' : 'full');
  writeFileSync(new URL(`${name}.json`, resultsDir), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${renderTables(results)}\n`);
  if (!quick && values.out === undefined && values.sizes === undefined && values.only === undefined) {
    writeFileSync(new URL('chart.svg', resultsDir), renderChart(results));
    writeFileSync(new URL('../../BENCHMARKS.md', resultsDir), renderMarkdown(results));
    process.stderr.write('bench: wrote bench/results/full.json, bench/results/chart.svg, BENCHMARKS.md\n');
  } else process.stderr.write(`bench: wrote bench/results/${name}.json\n`);
  process.stderr.write(`bench: ${(results.totalMs / 1000).toFixed(1)} s\n`);
}

await main();
