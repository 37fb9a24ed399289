// README "Any referrer": the block marked ingress-certificates.ts type-checks
// as a user's file would, and runs against the embedded API server serving
// Ingress as an extra resource (test/kube/readme-any-referrer.test.ts runs it
// against kube-apiserver).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readmeExample, typecheckReadmeExample } from './readme-examples.ts';

test('the README example type-checks with the project compiler and options, importing kube-object-manager', async () => {
  assert.match(readmeExample('ingress-certificates.ts'), /newWatchingReferenceManager/);
  assert.equal(await typecheckReadmeExample('ingress-certificates.ts'), '');
});
