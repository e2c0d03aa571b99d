import type { z } from 'zod';
import type { ModbusTag } from '../../main/domain/device/modbus-schema.js';

/**
 * A synthetic register map shaped like a large plant's: per device, runs of consecutive registers
 * (a PLC's data blocks) separated by gaps of every size, a mix of 16/32/64-bit values and bits, a few poll
 * rates. Seeded, so every run plans the same map.
 */
type TagInput = z.input<typeof ModbusTag>;

const rng = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
  return seed / 0x7fffffff;
};

export const syntheticMap = (tags: number, seed: number, rates: number[] = [1000]): TagInput[] => {
  const r = rng(seed);
  const out: TagInput[] = [];
  const next = { holding: 0, input: 0, coil: 0, discrete: 0 };
  while (out.length < tags) {
    const roll = r();
    const area = roll < 0.55 ? 'holding' : roll < 0.8 ? 'input' : roll < 0.92 ? 'coil' : 'discrete';
    const rate = rates[Math.floor(r() * rates.length)]!;
    // A run of 5-60 values, then a gap: mostly small (bridged), sometimes large (a new read).
    const run = 5 + Math.floor(r() * 56);
    const g = r();
    next[area] += g < 0.6 ? Math.floor(r() * 4) : g < 0.85 ? Math.floor(r() * 12) : 20 + Math.floor(r() * 200);
    for (let i = 0; i < run && out.length < tags; i++) {
      const name = `t${out.length}`;
      if (area === 'coil' || area === 'discrete') {
        if (next[area] >= 65_000) break;
        out.push({ name, area, address: next[area]++, dataType: 'bool', pollIntervalMs: rate });
        continue;
      }
      const t = r();
      const dataType = t < 0.45 ? 'uint16' : t < 0.6 ? 'int16' : t < 0.85 ? 'float32' : t < 0.93 ? 'int32' : 'float64';
      const width = dataType === 'float64' ? 4 : dataType === 'float32' || dataType === 'int32' ? 2 : 1;
      if (next[area] + width >= 65_000) break;
      out.push({ name, area, address: next[area], dataType, pollIntervalMs: rate });
      next[area] += width;
    }
  }
  return out;
};
