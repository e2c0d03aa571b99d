import type { Logger } from '../../main/log/logger.js';

/** A logger that keeps every line as "LEVEL message" in `lines`, for tests that read what was said. */
export const lineLogger = (lines: string[], o: { debug?: boolean } = {}): Logger => ({
  debug: o.debug ? (m) => lines.push(`DEBUG ${m}`) : () => undefined,
  info: (m) => lines.push(`INFO ${m}`),
  warn: (m) => lines.push(`WARN ${m}`),
  error: (m) => lines.push(`ERROR ${m}`),
});
