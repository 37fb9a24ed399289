// kom's names for the three strategies: the factories' names, with kom
// 0.1's names still accepted, and both said wherever kom prints one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as root from '../../src/index.ts';
import { CliError } from '../../src/cli/io.ts';
import { describeStrategy, parseStrategy, strategies } from '../../src/cli/strategy.ts';

test('each strategy is named as its factories are (newSimple…, newCaching…, newWatching…Manager)', () => {
  for (const name of Object.keys(strategies)) {
    const factory = `new${name[0]?.toUpperCase()}${name.slice(1)}`;
    for (const kind of ['SecretManager', 'ConfigMapManager']) assert.equal(typeof (root as Record<string, unknown>)[factory + kind], 'function', factory + kind);
  }
});

test('--strategy takes the names and kom 0.1\'s get, ttl and watch', () => {
  assert.equal(parseStrategy('simple'), 'simple');
  assert.equal(parseStrategy('caching'), 'caching');
  assert.equal(parseStrategy('watching'), 'watching');
  assert.equal(parseStrategy('get'), 'simple');
  assert.equal(parseStrategy('ttl'), 'caching');
  assert.equal(parseStrategy('watch'), 'watching');
});

test('an unknown --strategy is a usage error naming the accepted values', () => {
  for (const bad of ['poll', 'Watching', '', 'toString', '__proto__']) {
    assert.throws(() => parseStrategy(bad), (err: unknown) => err instanceof CliError && err.message.includes('watching, caching or simple') && err.message.endsWith(`got ${JSON.stringify(bad)}`), bad);
  }
});

test('a strategy is printed with what it does', () => {
  assert.equal(describeStrategy('simple'), 'simple (a GET per access)');
  assert.equal(describeStrategy('caching'), 'caching (a TTL cache)');
  assert.equal(describeStrategy('watching'), 'watching (a watch per object)');
});
