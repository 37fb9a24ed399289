import { GrowingBuffer } from './growing-buffer.ts';
import type { TransportResponse } from './transport.ts';

/**
 * The body of `response`, read into memory up to `limit` bytes. When it is
 * longer, the response is destroyed and then either `tooLong()` is thrown
 * (with it as the stream's error) or, without `tooLong`, the bytes read so
 * far are returned (enough of an error body to tell what it is). Memory is
 * one buffer of at most `limit` bytes, whatever the size of the chunks.
 */
export async function readBody(response: TransportResponse, limit: number, tooLong?: () => Error): Promise<Buffer> {
  const buffer = new GrowingBuffer(limit);
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    if (buffer.append(chunk) === 'ok') continue;
    if (tooLong === undefined) {
      response.destroy();
      break;
    }
    const err = tooLong();
    response.destroy(err);
    throw err;
  }
  return buffer.bytes();
}
