import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../domain/errors/app-error.js';

/** A fresh random token per run: whoever can read the printed URL may use this service. */
export const newToken = (): string => randomBytes(24).toString('base64url');

/** Where a gateway keeps a fixed token, so bookmarks and open tabs survive a service restart. */
export const ACCESS_TOKEN_VARIABLE = 'TWINEDGE_ACCESS_TOKEN';

/** As long as a fresh token (24 random bytes in base64url), and safe in a URL without encoding. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,256}$/;

/**
 * The fixed access token from the environment, or undefined for a fresh one per run. A weak or malformed value is
 * refused rather than used: the token is the only thing guarding the service.
 */
export const accessTokenFromEnv = (env: NodeJS.ProcessEnv): string | undefined => {
  const value = env[ACCESS_TOKEN_VARIABLE];
  if (value === undefined || value === '') return undefined;
  if (!TOKEN_SHAPE.test(value)) {
    throw new AppError(
      'invalid_input',
      `${ACCESS_TOKEN_VARIABLE} must be 32 to 256 characters of A-Z, a-z, 0-9, "-" and "_" (it is ${value.length} characters` +
        `${/[^A-Za-z0-9_-]/.test(value) ? ', with other characters' : ''}). Generate one with: openssl rand -base64 32 | tr '+/' '-_' | tr -d '='`,
    );
  }
  return value;
};

export const tokenMatches = (expected: string, given: string | undefined | null): boolean => {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
};
