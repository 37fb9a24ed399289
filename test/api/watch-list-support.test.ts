import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WatchListSupport } from '../../src/api/watch-list-support.ts';
import { settle } from '../helpers/settle.ts';

/** begin() of a reflector, with whether (and what) it has answered yet. */
function start(support: WatchListSupport, signal = new AbortController().signal): { answer: string | undefined } {
  const seen: { answer: string | undefined } = { answer: undefined };
  void support.begin(signal).then((mode) => {
    seen.answer = mode;
  });
  return seen;
}

test('the first reflector probes; the others wait for its answer: served means WatchList for all', async () => {
  const support = new WatchListSupport();
  const [first, second, third] = [start(support), start(support), start(support)];
  await settle();
  assert.deepEqual([first.answer, second.answer, third.answer], ['probe', undefined, undefined]);
  support.served();
  await settle();
  assert.deepEqual([second.answer, third.answer], ['watch-list', 'watch-list']);
  assert.equal(support.state, 'served');
  assert.equal(await support.begin(new AbortController().signal), 'watch-list', 'no probe once served');
});

test('a refusal means list for the waiting reflectors and every later one, with the reason kept', async () => {
  const support = new WatchListSupport();
  start(support);
  const waiting = start(support);
  support.refused('sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled');
  await settle();
  assert.equal(waiting.answer, 'list');
  assert.equal(await support.begin(new AbortController().signal), 'list');
  assert.equal(support.state, 'refused');
  assert.match(support.refusal ?? '', /WatchList feature gate/);
});

test('a probe that failed without a verdict lets every waiting reflector try WatchList itself', async () => {
  const support = new WatchListSupport();
  start(support);
  const waiting = [start(support), start(support)];
  support.endProbe('failed');
  await settle();
  assert.deepEqual(waiting.map((w) => w.answer), ['watch-list', 'watch-list']);
  assert.equal(support.state, 'unknown');
});

test('a probe given up hands the probe to one waiting reflector; the others keep waiting', async () => {
  const support = new WatchListSupport();
  start(support);
  const waiting = [start(support), start(support)];
  support.endProbe('abandoned');
  await settle();
  assert.deepEqual(waiting.map((w) => w.answer).sort(), ['probe', undefined]);
  support.served();
  await settle();
  assert.deepEqual(waiting.map((w) => w.answer).sort(), ['probe', 'watch-list']);
});

test('a waiting reflector whose signal aborts stops waiting at once', async () => {
  const support = new WatchListSupport();
  start(support);
  const controller = new AbortController();
  const waiting = start(support, controller.signal);
  await settle();
  assert.equal(waiting.answer, undefined);
  controller.abort();
  await settle();
  assert.notEqual(waiting.answer, undefined);
  assert.equal(support.state, 'unknown', 'the probe goes on');
});
