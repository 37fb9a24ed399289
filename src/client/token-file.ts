import { open } from 'node:fs/promises';
import type { Clock } from '../util/clock.ts';
import { GrowingBuffer } from './growing-buffer.ts';
import { CredentialsError } from './errors.ts';

/**
 * How long a token read from a file is used before the file is read again:
 * client-go's cachingTokenSource period for token files. Bound service
 * account tokens are rotated by the kubelet well before they expire (at 80%
 * of their lifetime, about hourly), so a minute-old token is still valid.
 */
export const TOKEN_FILE_REREAD_MS = 60_000;

/** Longest token file read: Go's default limit on the request headers kube-apiserver reads (1 MiB). */
const MAX_TOKEN_FILE_BYTES = 1024 * 1024;

interface CachedToken {
  readonly token: string;
  /** clock.now() when the read started; -Infinity once forgotten. */
  readAt: number;
}

async function readTokenFile(path: string): Promise<string> {
  let text: string;
  try {
    const file = await open(path, 'r');
    try {
      const bytes = new GrowingBuffer(MAX_TOKEN_FILE_BYTES);
      const chunk = Buffer.allocUnsafe(16 * 1024);
      for (;;) {
        const { bytesRead } = await file.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) break;
        if (bytes.append(chunk.subarray(0, bytesRead)) !== 'ok') throw new CredentialsError(`the token file ${JSON.stringify(path)} is larger than ${MAX_TOKEN_FILE_BYTES} bytes`);
      }
      text = bytes.bytes().toString('utf8');
    } finally {
      await file.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw err;
    throw new CredentialsError(`cannot read the token file ${JSON.stringify(path)}: ${code}`, { cause: err });
  }
  // A token file usually ends with a newline: trimmed, as client-go does.
  const token = text.trim();
  if (token === '') throw new CredentialsError(`the token file ${JSON.stringify(path)} is empty`);
  return token;
}

/**
 * Bearer tokens read from files (a KubeConfig user's tokenFile, the
 * in-cluster service account token), read again when the copy held is
 * TOKEN_FILE_REREAD_MS old on the clock, or after forgetOlderThan (a 401).
 * Reads of one file that start together share one read. When a read fails
 * and an earlier token is held, the earlier token is used (and the file is
 * read again at the next call), as client-go does; otherwise the error names
 * the file, never its content.
 */
export class TokenFiles {
  readonly #clock: Clock;
  readonly #cache = new Map<string, CachedToken>();
  readonly #reading = new Map<string, Promise<string>>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  token(path: string): Promise<string> {
    const cached = this.#cache.get(path);
    if (cached !== undefined && this.#clock.now() - cached.readAt < TOKEN_FILE_REREAD_MS) return Promise.resolve(cached.token);
    let reading = this.#reading.get(path);
    if (reading === undefined) {
      reading = this.#read(path, cached).finally(() => this.#reading.delete(path));
      this.#reading.set(path, reading);
    }
    return reading;
  }

  /** Has every token read at or before `time` read again at the next call (the server answered 401 to a request started at `time`). */
  forgetOlderThan(time: number): void {
    for (const cached of this.#cache.values()) if (cached.readAt <= time) cached.readAt = -Infinity;
  }

  async #read(path: string, cached: CachedToken | undefined): Promise<string> {
    const startedAt = this.#clock.now();
    try {
      const token = await readTokenFile(path);
      this.#cache.set(path, { token, readAt: startedAt });
      return token;
    } catch (err) {
      if (cached !== undefined) return cached.token;
      throw err;
    }
  }
}
