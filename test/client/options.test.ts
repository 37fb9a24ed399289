import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { createClient, KubeConfigError } from '../../src/client/index.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { maxTimerDelayMs } from '../../src/util/duration.ts';

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  return kc;
}

const durations = ['requestTimeoutMs', 'pingIntervalMs', 'stallTimeoutMs', 'idleConnectionTimeoutMs'] as const;

describe('createClient options', () => {
  for (const name of durations) {
    it(`${name}: a value a timer cannot wait (2^31 ms or more, Infinity, NaN) is a TypeError naming the option`, async () => {
      for (const value of [2 ** 31, Infinity, 1e12, NaN, -1]) {
        assert.throws(
          () => createClient(kubeConfig(), { clock: new FakeClock(), [name]: value }),
          (err: unknown) => err instanceof TypeError && err.message.includes(`createClient: options.${name} must be a finite number of milliseconds`),
          `${name}: ${value}`,
        );
      }
      // the longest a timer can wait is accepted
      const client = createClient(kubeConfig(), { clock: new FakeClock(), [name]: maxTimerDelayMs });
      await client.close();
    });
  }

  it('names what else is wrong', () => {
    const kc = kubeConfig();
    assert.throws(() => createClient(new KubeConfig()), KubeConfigError);
    assert.throws(() => createClient(kc, { stallTimeoutMs: 0 }), /options.stallTimeoutMs must be a finite number of milliseconds in \[1, 2147483647\], got 0/);
    assert.throws(() => createClient(kc, { maxRetries: -1 }), /options.maxRetries must be a number >= 0/);
    assert.throws(() => createClient(kc, { maxEventBytes: 10 }), /options.maxEventBytes must be a number >= 1024/);
    assert.throws(() => createClient(kc, { http2: 'yes' as unknown as boolean }), /options.http2 must be a boolean/);
    assert.throws(() => createClient(kc, { watchList: 'no' as unknown as boolean }), /options.watchList must be a boolean/);
    assert.throws(() => createClient(kc, { userAgent: '' }), /options.userAgent must be a non-empty string/);
    const client = createClient(kc);
    assert.throws(() => client.resource('Secrets'), /resource must be a lowercase plural resource name/);
  });
});
