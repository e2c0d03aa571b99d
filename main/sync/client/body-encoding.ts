// Request bodies as bytes on the wire: JSON serialised once, gzipped above a threshold, decoded again for reading.
import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/**
 * A request body already serialised (and gzipped above the threshold): sent as is, so a body stored before
 * sending (the upload in flight) goes out byte for byte, and is not serialised a second time.
 */
export interface EncodedBody {
  bytes: Uint8Array;
  gzipped: boolean;
}

export const isEncodedBody = (b: unknown): b is EncodedBody =>
  typeof b === 'object' &&
  b !== null &&
  (b as Partial<EncodedBody>).bytes instanceof Uint8Array &&
  typeof (b as Partial<EncodedBody>).gzipped === 'boolean';

/** Bodies larger than this are gzipped (unless the client is told otherwise). */
export const GZIP_THRESHOLD_BYTES = 1024;

/** JSON text as a request body; gzip runs off the main thread. */
export const encodeJson = async (json: string, gzipThresholdBytes: number): Promise<EncodedBody> => {
  const bytes = Buffer.from(json, 'utf8');
  if (bytes.byteLength <= gzipThresholdBytes) return { bytes, gzipped: false };
  // Telemetry JSON compresses about tenfold; this is most of the upload budget on a slow plant link.
  return { bytes: await gzipAsync(bytes), gzipped: true };
};

/** The JSON text of an encoded body. */
export const decodeBody = (b: EncodedBody): string =>
  (b.gzipped ? gunzipSync(b.bytes) : Buffer.from(b.bytes)).toString('utf8');
