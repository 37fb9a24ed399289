import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff, backoffBaseDelay, withJitter } from '../../src/reflector/backoff.ts';
import { FakeClock } from '../../src/testing.ts';

test('base delays double from 800 ms to the 30 s cap', () => {
  const delays = Array.from({ length: 8 }, (_, i) => backoffBaseDelay(i));
  assert.deepEqual(delays, [800, 1_600, 3_200, 6_400, 12_800, 25_600, 30_000, 30_000]);
});

test('jitter stretches a delay into [d, 2d)', () => {
  assert.equal(withJitter(800, 1, 0), 800);
  assert.ok(withJitter(800, 1, 0.999_999) < 1_600);
  assert.equal(withJitter(800, 0, 0.5), 800);
});

test('steps advance on each call and reset after 2 minutes without a backoff', () => {
  const clock = new FakeClock();
  const backoff = new Backoff(clock, {}, () => 0);
  assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [800, 1_600, 3_200]);
  clock.step(119_999);
  assert.equal(backoff.next(), 6_400, 'not yet reset');
  clock.step(120_000);
  assert.equal(backoff.next(), 800, 'reset after 2 min healthy');
});

test('bad options are refused with the option named', () => {
  assert.throws(() => new Backoff(new FakeClock(), { capMs: -1 }), /backoff option capMs must be a finite number of milliseconds in \[0, 2147483647\], got -1/);
  // A Node timer cannot wait longer: it would fire after 1 ms and spin.
  assert.throws(() => new Backoff(new FakeClock(), { capMs: 2 ** 31 }), /backoff option capMs must be .* got 2147483648/);
  assert.throws(() => new Backoff(new FakeClock(), { initialMs: Infinity }), /backoff option initialMs must be .* got Infinity/);
  assert.throws(() => new Backoff(new FakeClock(), { jitter: Number.NaN }), /backoff option jitter must be a finite number >= 0, got NaN/);
});
