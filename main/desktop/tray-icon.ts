import { deflateSync } from 'node:zlib';
import type { TrayIconState } from './tray-model.js';

/**
 * The tray icons, drawn in code (a filled dot in the state's colour on a transparent square) so there are no
 * image files to package or to get out of step with the states.
 */
const colours: Record<TrayIconState, readonly [number, number, number]> = {
  ok: [0x2e, 0x9e, 0x5b],
  warn: [0xe0, 0xa1, 0x00],
  error: [0xd6, 0x45, 0x45],
};

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf: Buffer): number => {
  let c = 0xffffffff;
  for (const b of buf) c = (crcTable[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

const chunk = (type: string, data: Buffer): Buffer => {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
};

/** An RGBA PNG of `size`×`size` pixels: a dot with a soft (anti-aliased) edge. */
export const trayIconPng = (state: TrayIconState, size = 32): Buffer => {
  const [r, g, b] = colours[state];
  const rows = Buffer.alloc(size * (size * 4 + 1));
  const centre = (size - 1) / 2;
  const radius = size * 0.42;
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    rows[row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - centre, y - centre);
      const alpha = Math.round(255 * Math.min(1, Math.max(0, radius - d + 0.5)));
      rows.set([r, g, b, alpha], row + 1 + x * 4);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
};
