// Keeps the API key out of anything the server echoes back (error messages, details, misread notes).
import type { ApiErrorDetails } from './api-error.js';

/** A server that echoes the Authorization header into an error must not leak the key into our logs. */
export const redactKey = (s: string, key: string): string => (key.length >= 4 ? s.split(key).join('[redacted]') : s);

export const redactKeyInDetails = (d: NonNullable<ApiErrorDetails>, key: string): NonNullable<ApiErrorDetails> => {
  const json = JSON.stringify(d);
  if (key.length < 4 || !json.includes(key)) return d;
  try {
    return JSON.parse(redactKey(json, key)) as NonNullable<ApiErrorDetails>;
  } catch {
    return { redacted: true };
  }
};
