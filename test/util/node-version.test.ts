// The Node.js version check that every entry point runs first.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { minimumNodeVersion, unsupportedNodeMessage } from '../../src/util/node-version.ts';

test('the minimum is the engines field of package.json: Node.js 22.19', async () => {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };
  assert.equal(pkg.engines.node, `>=${minimumNodeVersion.major}.${minimumNodeVersion.minor}`);
});

test('22.19.0 and every later version are accepted', () => {
  for (const version of ['22.19.0', '22.19.1', '22.20.0', '22.100.3', '23.0.0', '23.11.1', '24.0.0', '24.21.0', '25.2.1', '100.0.0', 'v24.21.0', '24.0.0-pre', '26.0.0-nightly20260101abcdef', '22.19']) {
    assert.equal(unsupportedNodeMessage(version), undefined, version);
  }
});

test('older versions are refused with the message a user reads: what is needed and what runs', () => {
  assert.equal(unsupportedNodeMessage('22.18.0'), 'kube-object-manager needs Node.js >= 22.19, this is v22.18.0');
  assert.equal(unsupportedNodeMessage('v20.20.2'), 'kube-object-manager needs Node.js >= 22.19, this is v20.20.2');
  for (const version of ['22.18.9', '22.18.99', '22.9.0', '22.0.0', '21.99.0', '20.20.2', '18.20.8', '0.12.18', '2.19.0', '22.1.90']) {
    assert.equal(unsupportedNodeMessage(version), `kube-object-manager needs Node.js >= 22.19, this is v${version}`, version);
  }
});

test('a version that cannot be read is refused, showing what was found', () => {
  for (const version of ['', 'v', 'abc', '22', '22.', '.19.0', '22.x.0', ' 24.0.0', '24.0.0 ', '24,0,0', '-24.0.0', '24.0.0.0', 'v v24.0.0', '２４.0.0']) {
    const message = unsupportedNodeMessage(version) ?? '(accepted)';
    assert.ok(message.startsWith('kube-object-manager needs Node.js >= 22.19, this is v'), JSON.stringify(version));
    assert.ok(message.endsWith(version.replace(/^v/, '')), JSON.stringify(version));
  }
});

test('importing the module on this (supported) Node.js does not throw', async () => {
  await assert.doesNotReject(import('../../src/util/node-version.ts'));
  assert.equal(unsupportedNodeMessage(process.versions.node), undefined);
});
