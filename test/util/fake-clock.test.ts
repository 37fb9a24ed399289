import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../src/testing.ts';

test('step runs due timers in due order, each at its due time', () => {
  const clock = new FakeClock(1_000);
  const seen: string[] = [];
  clock.setTimeout(() => seen.push(`b@${clock.now()}`), 200);
  clock.setTimeout(() => seen.push(`a@${clock.now()}`), 100);
  clock.setTimeout(() => seen.push(`c@${clock.now()}`), 300);
  clock.step(250);
  assert.deepEqual(seen, ['a@1100', 'b@1200']);
  assert.equal(clock.now(), 1_250);
  assert.equal(clock.pendingTimers, 1);
  clock.step(50);
  assert.deepEqual(seen, ['a@1100', 'b@1200', 'c@1300']);
  assert.equal(clock.pendingTimers, 0);
});

test('timers set by a firing timer fire in the same step when due within it', () => {
  const clock = new FakeClock();
  const seen: number[] = [];
  const tick = (): void => {
    seen.push(clock.now());
    if (seen.length < 5) clock.setTimeout(tick, 10);
  };
  clock.setTimeout(tick, 10);
  clock.step(35);
  assert.deepEqual(seen, [10, 20, 30]);
  clock.step(100);
  assert.deepEqual(seen, [10, 20, 30, 40, 50]);
});

test('cleared timers never fire; ties fire in creation order', () => {
  const clock = new FakeClock();
  const seen: string[] = [];
  const handle = clock.setTimeout(() => seen.push('cleared'), 5);
  clock.setTimeout(() => seen.push('first'), 10);
  clock.setTimeout(() => seen.push('second'), 10);
  clock.clearTimeout(handle);
  clock.step(10);
  assert.deepEqual(seen, ['first', 'second']);
});

test('time never goes backwards and bad steps are refused with the value named', () => {
  const clock = new FakeClock(100);
  assert.throws(() => clock.setTime(50), /cannot go backwards \(now 100, asked 50\)/);
  assert.throws(() => clock.step(-1), /ms must be a finite number >= 0, got -1/);
  assert.throws(() => clock.step(Number.NaN), /got NaN/);
  assert.equal(clock.now(), 100);
});
