import type { WatchEvent } from '../manager/types.ts';
import type { Clock } from '../util/clock.ts';
import { ClientClosedError, ConnectionError, WatchDecodeError, WatchStalledError } from './errors.ts';
import type { TransportResponse } from './transport.ts';
import { WatchDecoder } from './watch-decoder.ts';

export interface WatchStreamOptions {
  clock: Clock;
  signal: AbortSignal;
  /** No byte for this long while waiting on the server ends the watch with WatchStalledError. */
  stallTimeoutMs: number;
  maxEventBytes: number;
  /** Names the watch in error messages, e.g. `watch secrets in "ns"`. */
  what: string;
}

/**
 * The events of a 200 watch response. The iteration ends when the server
 * ends the stream or `signal` aborts; it throws WatchDecodeError for a
 * malformed line, WatchStalledError when the server sent nothing for the
 * stall timeout (measured only while waiting on the server, never while the
 * consumer holds an event), ConnectionError when the stream breaks, and
 * ClientClosedError when the client is closed. The stream is freed whenever
 * the iteration stops, `break` included.
 */
export async function* watchStream(response: TransportResponse, options: WatchStreamOptions): AsyncGenerator<WatchEvent, void, undefined> {
  const { clock, signal, stallTimeoutMs, what } = options;
  const decoder = new WatchDecoder(options.maxEventBytes);
  let stalled: WatchStalledError | undefined;
  let timer: unknown;
  const onStall = (): void => {
    stalled = new WatchStalledError(`${what}: no data from the server for ${stallTimeoutMs} ms; the watch was stopped`);
    response.destroy(stalled);
  };
  const chunks = response.body[Symbol.asyncIterator]() as AsyncIterator<Buffer, undefined>;
  try {
    for (;;) {
      if (signal.aborted) return;
      timer = clock.setTimeout(onStall, stallTimeoutMs);
      const next = await chunks.next();
      clock.clearTimeout(timer);
      if (next.done === true) break;
      for (const event of decoder.push(next.value)) {
        if (signal.aborted) return;
        yield event;
      }
    }
    const last = decoder.end();
    if (last !== undefined) yield last;
  } catch (err) {
    if (stalled !== undefined) throw stalled;
    if (signal.aborted) return;
    if (err instanceof WatchDecodeError || err instanceof ClientClosedError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new ConnectionError(`${what}: the watch stream failed: ${detail}`, { cause: err });
  } finally {
    clock.clearTimeout(timer);
    response.destroy();
  }
}
