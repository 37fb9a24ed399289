import type { WatchEvent, WatchEventType } from '../manager/types.ts';
import { WatchDecodeError } from './errors.ts';

const NEWLINE = 0x0a;
const EVENT_TYPES: ReadonlySet<string> = new Set<WatchEventType>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** Default bound on one watch event line: far above kube's 1.5 MiB object limit, low enough to stop a runaway stream. */
export const DEFAULT_MAX_EVENT_BYTES = 64 * 1024 * 1024;

/**
 * Splits a watch response body (JSON objects, one per line) into events.
 * Lines are cut on the newline byte before any text decoding, so a UTF-8
 * character split across chunks is decoded whole; a long line is kept as a
 * list of chunks and joined once, so a multi-megabyte object costs one copy.
 * Blank lines are skipped. A line that is not a watch event, or one longer
 * than `maxEventBytes`, throws a WatchDecodeError (the message names the
 * problem and never quotes the line: it may hold secret data).
 */
export class WatchDecoder {
  readonly #maxEventBytes: number;
  /** The start of an unfinished line (undefined when none: most watches wait between lines). */
  #pending: Buffer[] | undefined;
  #pendingBytes = 0;
  #lineNumber = 0;

  constructor(maxEventBytes = DEFAULT_MAX_EVENT_BYTES) {
    this.#maxEventBytes = maxEventBytes;
  }

  /** The events completed by `chunk`, in order. */
  push(chunk: Buffer): WatchEvent[] {
    const events: WatchEvent[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, nl);
      this.#checkSize(piece.length);
      const line = this.#pending === undefined ? piece : Buffer.concat([...this.#pending, piece], this.#pendingBytes + piece.length);
      this.#pending = undefined;
      this.#pendingBytes = 0;
      start = nl + 1;
      const event = this.#decodeLine(line);
      if (event !== undefined) events.push(event);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.#checkSize(rest.length);
      (this.#pending ??= []).push(rest);
      this.#pendingBytes += rest.length;
    }
    return events;
  }

  /** Call at the end of the stream: the last line when it had no newline. */
  end(): WatchEvent | undefined {
    if (this.#pending === undefined) return undefined;
    const line = Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = undefined;
    this.#pendingBytes = 0;
    return this.#decodeLine(line);
  }

  #checkSize(extra: number): void {
    if (this.#pendingBytes + extra > this.#maxEventBytes) {
      throw new WatchDecodeError(`watch event ${this.#lineNumber + 1} is larger than ${this.#maxEventBytes} bytes`);
    }
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
    return toWatchEvent(value, this.#lineNumber);
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
