import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResponseTooLargeError, WatchDecodeError } from '../../src/client/errors.ts';
import { ByteBudget } from '../../src/client/growing-buffer.ts';
import { WatchDecoder } from '../../src/client/watch-decoder.ts';
import type { WatchEvent } from '../../src/api/types.ts';

const line = (type: string, object: unknown): string => `${JSON.stringify({ type, object })}\n`;
const secret = (name: string, data: Record<string, string> = {}): Record<string, unknown> => ({
  kind: 'Secret',
  apiVersion: 'v1',
  metadata: { name, namespace: 'ns', resourceVersion: '7' },
  data,
});

function decodeChunks(chunks: Buffer[]): WatchEvent[] {
  const decoder = new WatchDecoder();
  const events = chunks.flatMap((chunk) => decoder.push(chunk));
  const last = decoder.end();
  return last === undefined ? events : [...events, last];
}

describe('WatchDecoder', () => {
  it('joins lines split at every possible byte', () => {
    const text = line('ADDED', secret('a')) + line('MODIFIED', secret('b')) + line('DELETED', secret('c'));
    const bytes = Buffer.from(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const events = decodeChunks([bytes.subarray(0, cut), bytes.subarray(cut)]);
      assert.deepEqual(
        events.map((e) => [e.type, e.object.metadata?.name]),
        [
          ['ADDED', 'a'],
          ['MODIFIED', 'b'],
          ['DELETED', 'c'],
        ],
        `cut at ${cut}`,
      );
    }
  });

  it('decodes multi-byte UTF-8 characters split across chunks', () => {
    const value = 'ü€😀 日本';
    const bytes = Buffer.from(line('ADDED', secret('utf8', { note: value })));
    // one byte per chunk splits every multi-byte character
    const events = decodeChunks([...bytes].map((b) => Buffer.from([b])));
    assert.equal(events.length, 1);
    assert.equal((events[0]?.object as { data: { note: string } }).data.note, value);
  });

  it('decodes a 5 MB object delivered in 16 KiB chunks', () => {
    const big = 'x'.repeat(5 * 1024 * 1024);
    const bytes = Buffer.from(line('ADDED', secret('big', { blob: big })) + line('BOOKMARK', { kind: 'Secret', metadata: { resourceVersion: '9' } }));
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 16 * 1024) chunks.push(bytes.subarray(i, i + 16 * 1024));
    const events = decodeChunks(chunks);
    assert.deepEqual(events.map((e) => e.type), ['ADDED', 'BOOKMARK']);
    assert.equal((events[0]?.object as { data: { blob: string } }).data.blob.length, big.length);
  });

  it('skips blank lines and decodes a last line without newline', () => {
    const text = `\n\r\n${line('ADDED', secret('a'))}\n${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410 } })}`;
    const events = decodeChunks([Buffer.from(text)]);
    assert.deepEqual(events.map((e) => e.type), ['ADDED', 'ERROR']);
  });

  it('throws WatchDecodeError for a malformed line without quoting it', () => {
    const decoder = new WatchDecoder();
    assert.deepEqual(decoder.push(Buffer.from(line('ADDED', secret('a')))).length, 1);
    assert.throws(
      () => decoder.push(Buffer.from('{"type":"ADDED","object":{"data":{"password":"hunter2"}\n')),
      (err: unknown) => {
        assert.ok(err instanceof WatchDecodeError);
        assert.equal(err.code, 'KOM_WATCH_MALFORMED');
        assert.match(err.message, /watch event 2 is not valid JSON/);
        assert.doesNotMatch(err.message, /hunter2/);
        return true;
      },
    );
  });

  it('rejects lines that are JSON but not watch events', () => {
    const cases: [string, RegExp][] = [
      ['[1,2]\n', /not a JSON object/],
      ['{"type":"UPSERT","object":{}}\n', /unknown type "UPSERT"/],
      ['{"type":"ADDED"}\n', /\(ADDED\) has no object/],
      ['"ADDED"\n', /not a JSON object/],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => new WatchDecoder().push(Buffer.from(text)), (err: unknown) => err instanceof WatchDecodeError && message.test(err.message));
    }
  });

  it('rejects a truncated last line at the end of the stream', () => {
    const decoder = new WatchDecoder();
    decoder.push(Buffer.from('{"type":"ADDED","obj'));
    assert.throws(() => decoder.end(), WatchDecodeError);
  });

  it('bounds the size of one event with ResponseTooLargeError naming maxEventBytes', () => {
    const decoder = new WatchDecoder(1024);
    assert.throws(
      () => {
        for (let i = 0; i < 10; i++) decoder.push(Buffer.from(`{"type":"ADDED","object":{"pad":"${'y'.repeat(200)}`));
      },
      (err: unknown) => err instanceof ResponseTooLargeError && err.option === 'maxEventBytes' && err.limit === 1024 && /watch event 1 is larger than 1024 bytes/.test(err.message),
    );
    assert.equal(decoder.pendingBytes, 0, 'the unfinished line is dropped');
    assert.throws(() => new WatchDecoder(1024).push(Buffer.from(`${'z'.repeat(2000)}\n`)), ResponseTooLargeError, 'also a long line within one chunk');
  });

  it('the unfinished lines of all decoders sharing a budget stay within it; a finished or discarded line gives its bytes back', () => {
    const budget = new ByteBudget(256 * 1024);
    const decoders = Array.from({ length: 4 }, () => new WatchDecoder(1024 * 1024, budget));
    const chunk = Buffer.alloc(16 * 1024, 'q');
    const failed = new Set<number>();
    for (let round = 0; round < 64; round++) {
      decoders.forEach((decoder, i) => {
        if (failed.has(i)) return;
        try {
          decoder.push(chunk);
        } catch (err) {
          assert.ok(err instanceof ResponseTooLargeError && err.option === 'maxBufferedWatchBytes' && err.limit === budget.limit, String(err));
          failed.add(i);
        }
      });
      assert.ok(budget.used <= budget.limit, `round ${round}: ${budget.used} bytes reserved`);
    }
    assert.equal(failed.size, 4, 'every endless line ends up refused');
    assert.equal(budget.used, 0);
    const decoder = new WatchDecoder(1024 * 1024, budget);
    decoder.push(Buffer.from('{"type":"ADDED",'));
    assert.ok(budget.used > 0);
    assert.deepEqual(decoder.push(Buffer.from('"object":{}}\n')).map((e) => e.type), ['ADDED']);
    assert.equal(budget.used, 0, 'a finished line gives its bytes back');
    decoder.push(Buffer.from('{"type":'));
    decoder.discard();
    assert.equal(budget.used, 0, 'a discarded line gives its bytes back');
  });

  it('a line sent one byte per chunk costs one growing buffer, not an object per byte', () => {
    const decoder = new WatchDecoder();
    const text = line('ADDED', secret('drip', { blob: 'd'.repeat(100_000) }));
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length - 1; i++) decoder.push(bytes.subarray(i, i + 1));
    assert.ok(decoder.pendingBytes < 2 * bytes.length, `${decoder.pendingBytes} bytes held for a ${bytes.length}-byte line`);
    assert.equal(decoder.push(bytes.subarray(bytes.length - 1)).length, 1);
    assert.equal(decoder.pendingBytes, 0);
  });
});
