import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh random token per run: whoever can read the printed URL may use this service. */
export const newToken = (): string => randomBytes(24).toString('base64url');

export const tokenMatches = (expected: string, given: string | undefined | null): boolean => {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
};
