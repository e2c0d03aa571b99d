// Draws the packaging icons from build/icon.png (512x512 RGBA) with Node alone:
//   build/icon.ico              Windows (exe, NSIS installer): 16-256 px, 256 as PNG, the others as 32-bit bitmaps
//   build/icons/<n>x<n>.png     Linux (AppImage, deb): the hicolor sizes electron-builder installs
// Run `node build/make-icons.mjs` after changing icon.png and commit the results; a test checks they are current.
// `node build/make-icons.mjs DIR` writes into DIR instead (used by that test).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync, inflateSync } from 'node:zlib';

export const linuxSizes = [16, 24, 32, 48, 64, 128, 256, 512];
export const windowsSizes = [16, 24, 32, 48, 64, 128, 256];

const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/** Decodes an 8-bit, non-interlaced RGBA or RGB PNG into { width, height, rgba }. */
export const decodePng = (file) => {
  if (!file.subarray(0, 8).equals(signature)) throw new Error('not a PNG file');
  let pos = 8;
  let header;
  const idat = [];
  while (pos < file.length) {
    const length = file.readUInt32BE(pos);
    const type = file.toString('latin1', pos + 4, pos + 8);
    const data = file.subarray(pos + 8, pos + 8 + length);
    if (type === 'IHDR') {
      header = {
        width: data.readUInt32BE(0),
        height: data.readUInt32BE(4),
        depth: data[8],
        colorType: data[9],
        interlace: data[12],
      };
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + length;
  }
  if (!header) throw new Error('PNG without IHDR');
  const { width, height, depth, colorType, interlace } = header;
  const channels = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  if (depth !== 8 || channels === 0 || interlace !== 0) {
    throw new Error('only 8-bit non-interlaced RGB or RGBA PNGs are supported');
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? out[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`bad PNG filter ${filter}`);
      out[i] = (line[i] + predictor) & 0xff;
    }
  }
  if (channels === 4) return { width, height, rgba: pixels };
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    pixels.copy(rgba, i * 4, i * 3, i * 3 + 3);
    rgba[i * 4 + 3] = 255;
  }
  return { width, height, rgba };
};

const chunk = (type, data) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
};

/** Encodes RGBA pixels as a PNG (filter 0, maximum compression: the same bytes on every run). */
export const encodePng = ({ width, height, rgba }) => {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
};

/** Shrinks a square image by area averaging (alpha-weighted, so transparent edges don't darken). */
export const resize = (image, size) => {
  const { width, height, rgba } = image;
  if (size === width && size === height) return image;
  const sx = width / size;
  const sy = height / size;
  const out = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    const y0 = y * sy;
    const y1 = y0 + sy;
    for (let x = 0; x < size; x++) {
      const x0 = x * sx;
      const x1 = x0 + sx;
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      let area = 0;
      for (let py = Math.floor(y0); py < Math.ceil(y1); py++) {
        const wy = Math.min(y1, py + 1) - Math.max(y0, py);
        for (let px = Math.floor(x0); px < Math.ceil(x1); px++) {
          const w = wy * (Math.min(x1, px + 1) - Math.max(x0, px));
          const i = (py * width + px) * 4;
          const alpha = rgba[i + 3] * w;
          r += rgba[i] * alpha;
          g += rgba[i + 1] * alpha;
          b += rgba[i + 2] * alpha;
          a += alpha;
          area += w;
        }
      }
      const o = (y * size + x) * 4;
      if (a > 0) {
        out[o] = Math.round(r / a);
        out[o + 1] = Math.round(g / a);
        out[o + 2] = Math.round(b / a);
      }
      out[o + 3] = Math.round(a / area);
    }
  }
  return { width: size, height: size, rgba: out };
};

/** A 32-bit BGRA bitmap as stored in .ico files: bottom-up, height doubled, followed by the AND mask. */
const icoBitmap = ({ width, height, rgba }) => {
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(width, 4);
  header.writeInt32LE(height * 2, 8);
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const o = ((height - 1 - y) * width + x) * 4;
      pixels[o] = rgba[i + 2];
      pixels[o + 1] = rgba[i + 1];
      pixels[o + 2] = rgba[i];
      pixels[o + 3] = rgba[i + 3];
    }
  }
  // All zero: the alpha channel decides transparency; rows padded to 32 bits.
  const mask = Buffer.alloc(Math.ceil(width / 32) * 4 * height);
  header.writeUInt32LE(pixels.length + mask.length, 20);
  return Buffer.concat([header, pixels, mask]);
};

/** A Windows .ico holding the given images: 256 px as PNG (as Windows expects), smaller ones as bitmaps. */
export const encodeIco = (images) => {
  const dir = Buffer.alloc(6 + 16 * images.length);
  dir.writeUInt16LE(1, 2);
  dir.writeUInt16LE(images.length, 4);
  const bodies = images.map((img) => (img.width >= 256 ? encodePng(img) : icoBitmap(img)));
  let offset = dir.length;
  images.forEach((img, n) => {
    const e = 6 + 16 * n;
    dir[e] = img.width >= 256 ? 0 : img.width;
    dir[e + 1] = img.height >= 256 ? 0 : img.height;
    dir.writeUInt16LE(1, e + 4);
    dir.writeUInt16LE(32, e + 6);
    dir.writeUInt32LE(bodies[n].length, e + 8);
    dir.writeUInt32LE(offset, e + 12);
    offset += bodies[n].length;
  });
  return Buffer.concat([dir, ...bodies]);
};

/** The sizes an .ico file holds, read from its directory (0 means 256). */
export const icoSizes = (ico) => Array.from({ length: ico.readUInt16LE(4) }, (_, n) => ico[6 + 16 * n] || 256);

export const makeIcons = (sourcePng, outDir) => {
  const source = decodePng(readFileSync(sourcePng));
  if (source.width !== source.height || source.width < 512) throw new Error('icon.png must be square, at least 512 px');
  mkdirSync(join(outDir, 'icons'), { recursive: true });
  for (const size of linuxSizes) {
    writeFileSync(join(outDir, 'icons', `${size}x${size}.png`), encodePng(resize(source, size)));
  }
  writeFileSync(join(outDir, 'icon.ico'), encodeIco(windowsSizes.map((size) => resize(source, size))));
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = fileURLToPath(new URL('.', import.meta.url));
  makeIcons(join(here, 'icon.png'), process.argv[2] ? resolve(process.argv[2]) : here);
}
