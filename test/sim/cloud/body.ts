import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';
import { ApiError } from './api-error.js';

export interface ReadBody {
  /** Parsed JSON, or undefined for an empty body. */
  json: unknown;
  bytes: number;
}

/**
 * Reads a request body, gunzipping `Content-Encoding: gzip`, counting decompressed bytes as they stream so a
 * small compressed bomb cannot grow past `maxBytes` in memory. Over the limit → 413; the rest of the upload is
 * drained so the client still receives the answer.
 */
export const readJsonBody = (req: IncomingMessage, maxBytes: number): Promise<ReadBody> =>
  new Promise((resolve, reject) => {
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'gzip' && encoding !== 'identity') {
      req.resume();
      reject(new ApiError(400, 'VALIDATION_ERROR', `unsupported Content-Encoding '${encoding}'`, { encoding }));
      return;
    }
    const source = encoding === 'gzip' ? req.pipe(createGunzip()) : req;
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const fail = (err: ApiError): void => {
      if (settled) return;
      settled = true;
      if (source !== req) source.destroy();
      req.unpipe();
      req.resume();
      // Answer once the upload is in, so the client is not writing into a closed socket.
      if (req.readableEnded) reject(err);
      else req.once('end', () => reject(err)).once('error', () => reject(err));
    };
    source.on('data', (chunk: Buffer) => {
      if (settled) return;
      bytes += chunk.length;
      if (bytes > maxBytes) {
        fail(
          new ApiError(413, 'PAYLOAD_TOO_LARGE', `body exceeds ${maxBytes} bytes after decompression`, {
            max_body_bytes: maxBytes,
          }),
        );
        return;
      }
      chunks.push(chunk);
    });
    source.on('error', () => fail(new ApiError(400, 'VALIDATION_ERROR', 'body is not valid gzip', { encoding })));
    source.on('end', () => {
      if (settled) return;
      settled = true;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        resolve({ json: undefined, bytes });
        return;
      }
      try {
        resolve({ json: JSON.parse(text) as unknown, bytes });
      } catch {
        reject(
          new ApiError(400, 'VALIDATION_ERROR', 'body is not valid JSON', [
            { field: '(body)', message: 'invalid JSON' },
          ]),
        );
      }
    });
  });
