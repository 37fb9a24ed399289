import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';

const script = join(import.meta.dirname, '..', '..', 'scripts', 'kube-build.ts');

describe('npm run kube:build', () => {
  it('says plainly that Go is missing when there is no go on PATH', async () => {
    const run = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, [script], { env: { ...process.env, PATH: dirname(process.execPath) } }, (err, _stdout, stderr) => {
        resolve({ code: err === null ? 0 : Number(err.code), stderr });
      });
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /kube:build: FAILED: no usable `go` on PATH/);
    assert.match(run.stderr, /KUBEBUILDER_ASSETS/);
  });
});
