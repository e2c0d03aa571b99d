import { seededRandom } from '../../../main/domain/prng.js';

/** A stable float in [0, 1) from a string (FNV-1a then one mulberry32 step): deterministic "random" data. */
export const hashUnit = (text: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return seededRandom(h)();
};
