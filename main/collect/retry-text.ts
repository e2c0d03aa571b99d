import { formatDelay } from './sleep.js';

/**
 * The tail of a connection error while retrying: " — retrying in 4 s (3 attempts failed)". It changes with every
 * attempt, so what is logged once per state change compares messages without it.
 */
export const retrySuffix = (delayMs: number, failedAttempts: number): string =>
  ` — retrying in ${formatDelay(delayMs)}${failedAttempts > 1 ? ` (${failedAttempts} attempts failed)` : ''}`;

/** A state message without its retry countdown: the same problem retried is one state, not one per attempt. */
export const withoutRetry = (message: string): string => message.replace(/ — retrying in .*$/, '');
