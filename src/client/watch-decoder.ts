import type { WatchEvent, WatchEventType } from '../api/types.ts';
import { ResponseTooLargeError, WatchDecodeError } from './errors.ts';
import { GrowingBuffer } from './growing-buffer.ts';
import { dropManagedFields } from './managed-fields.ts';
import type { ByteBudget } from './growing-buffer.ts';

const NEWLINE = 0x0a;
const EVENT_TYPES: ReadonlySet<string> = new Set<WatchEventType>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** Default bound on one watch event line: far above kube's 1.5 MiB object limit, low enough to stop a runaway stream. */
export const DEFAULT_MAX_EVENT_BYTES = 64 * 1024 * 1024;

/**
 * Splits a watch response body (JSON objects, one per line) into events.
 * Lines are cut on the newline byte before any text decoding, so a UTF-8
 * character split across chunks is decoded whole. A line within one chunk is
 * decoded where it lies; the start of a line that goes on in later chunks is
 * copied into a GrowingBuffer (memory that doubles, reserved against the
 * client's `budget` of unfinished watch lines) until its newline arrives.
 * Blank lines are skipped. A line that is not a watch event throws a
 * WatchDecodeError; one longer than `maxEventBytes`, or whose bytes the
 * budget cannot hold, throws a ResponseTooLargeError (messages name the
 * problem and never quote the line: it may hold secret data). Call
 * `discard()` when the stream is given up, so that the budget gets its bytes
 * back. Unless `keepManagedFields`, each event's object loses its
 * `metadata.managedFields` (see ClientOptions.keepManagedFields).
 */
export class WatchDecoder {
  readonly #maxEventBytes: number;
  readonly #budget: ByteBudget | undefined;
  /** The start of an unfinished line (undefined when none: most watches wait between lines). */
  #pending: GrowingBuffer | undefined;
  #lineNumber = 0;
  readonly #keepManagedFields: boolean;

  constructor(maxEventBytes = DEFAULT_MAX_EVENT_BYTES, budget?: ByteBudget, keepManagedFields = true) {
    this.#maxEventBytes = maxEventBytes;
    this.#budget = budget;
    this.#keepManagedFields = keepManagedFields;
  }

  /** The events completed by `chunk`, in order. */
  push(chunk: Buffer): WatchEvent[] {
    const events: WatchEvent[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      let line: Buffer = piece;
      const pending = this.#pending;
      if (pending !== undefined) {
        this.#append(pending, piece);
        line = pending.bytes();
        this.discard();
      } else if (piece.length > this.#maxEventBytes) {
        throw this.#tooLong();
      }
      const event = this.#decodeLine(line);
      if (event !== undefined) events.push(event);
    }
    if (start < chunk.length) {
      this.#pending ??= new GrowingBuffer(this.#maxEventBytes, this.#budget);
      this.#append(this.#pending, chunk.subarray(start));
    }
    return events;
  }

  /** Call at the end of the stream: the last line when it had no newline. */
  end(): WatchEvent | undefined {
    const pending = this.#pending;
    if (pending === undefined) return undefined;
    const line = pending.bytes();
    this.discard();
    return this.#decodeLine(line);
  }

  /** Drops an unfinished line, giving its memory back to the budget (idempotent). */
  discard(): void {
    this.#pending?.dispose();
    this.#pending = undefined;
  }

  /** Bytes of the unfinished line held. */
  get pendingBytes(): number {
    return this.#pending?.capacity ?? 0;
  }

  #append(pending: GrowingBuffer, bytes: Buffer): void {
    const result = pending.append(bytes);
    if (result === 'ok') return;
    this.discard();
    if (result === 'limit') throw this.#tooLong();
    const limit = this.#budget?.limit ?? 0;
    throw new ResponseTooLargeError(
      `watch event ${this.#lineNumber + 1} would take the unfinished event lines of this client's watches past ${limit} bytes, the limit (ClientOptions.maxBufferedWatchBytes)`,
      'maxBufferedWatchBytes',
      limit,
    );
  }

  #tooLong(): ResponseTooLargeError {
    const limit = this.#maxEventBytes;
    return new ResponseTooLargeError(`watch event ${this.#lineNumber + 1} is larger than ${limit} bytes, the limit (ClientOptions.maxEventBytes)`, 'maxEventBytes', limit);
  }

  #decodeLine(line: Buffer): WatchEvent | undefined {
    this.#lineNumber++;
    const text = line.toString('utf8');
    if (text.trim() === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      // V8's message quotes the text, which may be secret: keep only the position.
      const position = err instanceof Error ? /position (\d+)/.exec(err.message)?.[1] : undefined;
      const where = position === undefined ? '' : `, error at character ${position}`;
      throw new WatchDecodeError(`watch event ${this.#lineNumber} is not valid JSON (${line.length} bytes${where})`);
    }
    const event = toWatchEvent(value, this.#lineNumber);
    if (!this.#keepManagedFields) dropManagedFields(event.object);
    return event;
  }
}

function toWatchEvent(value: unknown, lineNumber: number): WatchEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WatchDecodeError(`watch event ${lineNumber} is not a JSON object`);
  }
  const { type, object } = value as { type?: unknown; object?: unknown };
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) {
    throw new WatchDecodeError(`watch event ${lineNumber} has an unknown type ${typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : typeof type}`);
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new WatchDecodeError(`watch event ${lineNumber} (${type}) has no object`);
  }
  return { type: type as WatchEventType, object: object };
}
