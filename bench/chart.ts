// A small SVG writer: client heap per object and update propagation (p50,
// p99) against N, log scales, one line per strategy.
import { alternativeLabels, alternativeNames, type AlternativeName } from './alternatives/types.ts';
import type { RunResults, ScenarioResult } from './results.ts';

const colors: Record<AlternativeName, string> = {
  watch: '#1b7837', kubelet: '#00838f', 'ns-informer': '#6a1b9a', informer: '#c2185b', fluent: '#8d6e63', simple: '#1f5fa8', ttl: '#e08214', floor: '#555555',
};

interface Series {
  name: AlternativeName;
  dashed: boolean;
  points: { x: number; y: number }[];
}

interface Panel {
  title: string;
  /** A dashed horizontal line: the target. */
  target?: { y: number; label: string };
  yLabel: string;
  series: Series[];
  formatY: (v: number) => string;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function decades(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) out.push(10 ** e);
  return out;
}

function panel(p: Panel, ox: number, oy: number, w: number, h: number, xs: number[]): string {
  const ys = p.series.flatMap((s) => s.points.map((pt) => pt.y)).filter((y) => y > 0);
  const yTicks = ys.length === 0 ? [1, 10] : decades(Math.min(...ys), Math.max(...ys));
  const [y0, y1] = [Math.log10(yTicks[0] ?? 1), Math.log10(yTicks[yTicks.length - 1] ?? 10)];
  const [x0, x1] = [Math.log10(Math.min(...xs)) - 0.15, Math.log10(Math.max(...xs)) + 0.15];
  const px = (x: number): number => ox + ((Math.log10(x) - x0) / (x1 - x0)) * w;
  const py = (y: number): number => oy + h - ((Math.log10(y) - y0) / Math.max(1e-9, y1 - y0)) * h;
  const out: string[] = [];
  out.push(`<text x="${ox + w / 2}" y="${oy - 14}" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  out.push(`<rect x="${ox}" y="${oy}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  for (const t of yTicks) {
    out.push(`<line x1="${ox}" x2="${ox + w}" y1="${py(t)}" y2="${py(t)}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${ox - 6}" y="${py(t) + 4}" text-anchor="end">${esc(p.formatY(t))}</text>`);
  }
  for (const x of xs) {
    out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${oy}" y2="${oy + h}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${px(x)}" y="${oy + h + 16}" text-anchor="middle">${x.toLocaleString('en-US')}</text>`);
  }
  out.push(`<text x="${ox + w / 2}" y="${oy + h + 34}" text-anchor="middle">N (watched objects)</text>`);
  out.push(`<text transform="translate(${ox - 58},${oy + h / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
  if (p.target !== undefined && p.target.y > 10 ** y0 && p.target.y < 10 ** y1) {
    out.push(`<line x1="${ox}" x2="${ox + w}" y1="${py(p.target.y)}" y2="${py(p.target.y)}" stroke="#555" stroke-dasharray="2,3"/>`);
    out.push(`<text x="${ox + w - 4}" y="${py(p.target.y) - 4}" text-anchor="end" fill="#555">${esc(p.target.label)}</text>`);
  }
  for (const s of p.series) {
    const pts = s.points.filter((pt) => pt.y > 0);
    if (pts.length === 0) continue;
    const d = pts.map((pt, i) => `${i === 0 ? 'M' : 'L'}${px(pt.x).toFixed(1)},${py(pt.y).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${colors[s.name]}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,4"' : ''}/>`);
    for (const pt of pts) out.push(`<circle cx="${px(pt.x).toFixed(1)}" cy="${py(pt.y).toFixed(1)}" r="3.5" fill="${colors[s.name]}"/>`);
  }
  return out.join('\n');
}

function series(results: RunResults, value: (r: ScenarioResult) => number | null | undefined, dashed = false): Series[] {
  return alternativeNames.map((name) => ({
    name,
    dashed,
    // The embedded server's runs with every secret referenced: one line per strategy.
    points: results.scenarios
      .filter((s) => s.alternative === name && (s.server ?? 'embedded') === 'embedded' && (s.crowd ?? 1) === 1)
      .map((s) => ({ x: s.n, y: value(s) ?? 0 }))
      .filter((pt) => pt.y > 0)
      .sort((a, b) => a.x - b.x),
  }));
}

const fmtBytes = (v: number): string => (v >= 1e6 ? `${v / 1e6} MB` : v >= 1e3 ? `${v / 1e3} kB` : `${v} B`);
const fmtMs = (v: number): string => (v >= 1000 ? `${v / 1000} s` : v >= 1 ? `${v} ms` : `${v * 1000} µs`);

/** The chart as an SVG document. */
export function renderChart(results: RunResults): string {
  const xs = [...new Set(results.sizes)].sort((a, b) => a - b);
  const W = 1000;
  const H = 460;
  const heap: Panel = { title: 'Client heap per watched object', yLabel: 'bytes per object (log)', series: series(results, (r) => r.memory?.heapPerObject), formatY: fmtBytes, target: { y: 3072, label: 'target for watch: 3 KiB' } };
  const latency: Panel = {
    title: 'Update → cache latency (solid p50, dashed p99)',
    yLabel: 'latency (log)',
    series: [...series(results, (r) => r.propagation?.p50Ms), ...series(results, (r) => r.propagation?.p99Ms, true)],
    formatY: fmtMs,
  };
  const legend = alternativeNames
    .map((name, i) => `<g transform="translate(${20 + (i % 4) * 245},${H - 44 + Math.floor(i / 4) * 22})"><rect width="14" height="14" fill="${colors[name]}"/><text x="20" y="12">${esc(alternativeLabels[name])}</text></g>`)
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="white"/>
${panel(heap, 90, 40, 360, 290, xs)}
${panel(latency, 600, 40, 360, 290, xs)}
${legend}
</svg>
`;
}
