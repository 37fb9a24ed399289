import { GrowingBuffer } from './growing-buffer.ts';
import type { TransportResponse } from './transport.ts';

/**
 * The body of `response`, read into memory up to `limit` bytes. When it is
 * longer, the response is destroyed and then either `tooLong()` is thrown
 * (with it as the stream's error) or, without `tooLong`, the bytes read so
 * far are returned (enough of an error body to tell what it is). Memory is
 * one buffer of at most `limit` bytes, whatever the size of the chunks.
 *
 * Read with 'data' and 'end' listeners, not the stream's async iterator: on
 * Node.js 24.20 and later the iterator throws ERR_STREAM_PREMATURE_CLOSE for
 * an HTTP/2 stream that closed (all its bytes buffered) before the loop
 * started (nodejs/node#65677), which failed complete answers at random.
 * The body ends in error when the stream closes, or an HTTP/2 stream is
 * reset, before its end.
 */
export function readBody(response: TransportResponse, limit: number, tooLong?: () => Error): Promise<Buffer> {
  const body = response.body;
  return new Promise<Buffer>((resolve, reject) => {
    const buffer = new GrowingBuffer(limit);
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
      return true;
    };
    const onData = (chunk: Buffer): void => {
      if (buffer.append(chunk) === 'ok') return;
      if (!settle()) return;
      if (tooLong === undefined) {
        response.destroy();
        resolve(buffer.bytes());
        return;
      }
      const err = tooLong();
      response.destroy(err);
      reject(err);
    };
    const onEnd = (): void => {
      if (!settle()) return;
      // Node ends an HTTP/2 stream's body cleanly even when the stream was
      // reset (the connection died mid-body): its reset code tells.
      const reset = (body as { rstCode?: unknown }).rstCode;
      if (typeof reset === 'number' && reset !== 0) {
        reject(Object.assign(new Error(`the stream was reset (HTTP/2 code ${reset}) before the end of the body`), { code: 'ERR_HTTP2_STREAM_ERROR' }));
        return;
      }
      resolve(buffer.bytes());
    };
    const onError = (err: Error): void => {
      if (settle()) reject(err);
    };
    const onClose = (): void => {
      if (!settle()) return;
      const err = body.errored;
      reject(err instanceof Error ? err : Object.assign(new Error('the stream closed before the end of the body'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    if (body.errored instanceof Error) {
      reject(body.errored);
      return;
    }
    body.on('error', onError);
    body.on('close', onClose);
    body.on('end', onEnd);
    body.on('data', onData);
  });
}
