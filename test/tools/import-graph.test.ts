import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importCycles, layerViolations, readImportGraph } from '../../scripts/import-graph.ts';

const graph = readImportGraph(fileURLToPath(new URL('../../src/', import.meta.url)));

test('src/ has no upward or sideways import between folders', () => {
  assert.ok(graph.size > 100, `read ${graph.size} files`);
  assert.deepEqual(layerViolations(graph), []);
});

test('src/ has no import circle', () => {
  assert.deepEqual(importCycles(graph), []);
});

test('the check finds an upward import, a sideways one, an unplaced folder and a circle', () => {
  const planted = new Map<string, string[]>([
    ['api/types.ts', ['manager/types.ts']],
    ['reflector/reflector.ts', ['client/transport.ts']],
    ['extra/thing.ts', ['util/clock.ts']],
    ['client/transport.ts', ['client/router.ts']],
    ['client/router.ts', ['client/pool.ts']],
    ['client/pool.ts', ['client/transport.ts']],
    ['util/clock.ts', []],
    ['manager/types.ts', []],
  ]);
  const violations = layerViolations(planted);
  assert.equal(violations.length, 3);
  assert.match(violations.join('\n'), /api\/types\.ts -> manager\/types\.ts/);
  assert.match(violations.join('\n'), /reflector\/reflector\.ts -> client\/transport\.ts/);
  assert.match(violations.join('\n'), /"extra" has no place/);
  assert.deepEqual(importCycles(planted), [['client/pool.ts', 'client/router.ts', 'client/transport.ts']]);
});
