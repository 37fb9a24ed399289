// node scripts/import-graph.ts [--graph]
//
// Checks the layers of src/: each folder imports only the folders below it
// (the table in DESIGN.md, "Layers"), and no file imports itself back
// through others. Prints every violation and exits 1 when there is one;
// --graph also prints the folder-to-folder imports with their counts.
// test/tools/import-graph.test.ts runs the same check in `npm test`.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * What each folder of src/ may import, besides itself. A folder missing
 * here is a violation until it is given a place. `.` is the package's entry
 * files (src/index.ts, src/testing.ts).
 */
export const allowedImports: Readonly<Record<string, readonly string[]>> = {
  util: [],
  api: ['util'],
  client: ['api', 'util'],
  reflector: ['api', 'util'],
  manager: ['reflector', 'api', 'util'],
  referrers: ['manager', 'reflector', 'client', 'api', 'util'],
  kubelet: ['referrers', 'manager', 'reflector', 'client', 'api', 'util'],
  apiserver: ['api', 'util'],
  testing: ['apiserver', 'referrers', 'manager', 'reflector', 'client', 'api', 'util'],
  cli: ['apiserver', 'kubelet', 'referrers', 'manager', 'reflector', 'client', 'api', 'util'],
  '.': ['testing', 'apiserver', 'kubelet', 'referrers', 'manager', 'reflector', 'client', 'api', 'util'],
};

/** File (relative to src/) to the src/ files it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

export function folderOf(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? '.' : file.slice(0, slash);
}

/** Reads every .ts file under `srcDir` and its relative imports (static, dynamic, type-only and re-exports). */
export function readImportGraph(srcDir: string): ImportGraph {
  const graph = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const info = ts.preProcessFile(readFileSync(path, 'utf8'), true, true);
        const imports = info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('.')).map((s) => relative(srcDir, resolve(dirname(path), s)));
        graph.set(relative(srcDir, path), imports);
      }
    }
  };
  walk(srcDir);
  return graph;
}

/** Imports that go from a folder to one it may not import (upward or sideways), as "from -> to". */
export function layerViolations(graph: ImportGraph, allowed: Readonly<Record<string, readonly string[]>> = allowedImports): string[] {
  const out: string[] = [];
  for (const [file, imports] of graph) {
    const from = folderOf(file);
    const may = allowed[from];
    for (const target of imports) {
      const to = folderOf(target);
      if (to === from) continue;
      if (may === undefined) out.push(`${file} -> ${target} (folder "${from}" has no place in the layers)`);
      else if (!may.includes(to)) out.push(`${file} -> ${target} ("${from}" may import only ${may.length === 0 ? 'itself' : may.join(', ')})`);
    }
  }
  return out;
}

/** Import circles between files (strongly connected components of more than one file, or a file importing itself). */
export function importCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

/** Folder-to-folder import counts, as "from -> to: n" lines. */
export function folderEdges(graph: ImportGraph): string[] {
  const counts = new Map<string, number>();
  for (const [file, imports] of graph) {
    for (const target of imports) {
      const key = `${folderOf(file)} -> ${folderOf(target)}`;
      if (folderOf(file) !== folderOf(target)) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}: ${n}`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const graph = readImportGraph(fileURLToPath(new URL('../src/', import.meta.url)));
  if (process.argv.includes('--graph')) process.stdout.write(`${folderEdges(graph).join('\n')}\n`);
  const violations = layerViolations(graph);
  const cycles = importCycles(graph);
  for (const v of violations) process.stderr.write(`upward or sideways import: ${v}\n`);
  for (const c of cycles) process.stderr.write(`import circle: ${c.join(' <-> ')}\n`);
  process.stdout.write(`${graph.size} files: ${violations.length} layer violations, ${cycles.length} circles\n`);
  process.exitCode = violations.length + cycles.length > 0 ? 1 : 0;
}
