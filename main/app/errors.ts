import type { ErrorCode, FieldProblem } from '../contract/contract.js';

/** An error meant for the user: a code the UI can branch on and a message an engineer understands. */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldProblem[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const errorMessage = (err: unknown): string =>
  err instanceof Error ? err.message : typeof err === 'string' ? err : 'unknown error';

/** Everything known about an error for the log: its stack and the chain of causes. */
export const errorDetail = (err: unknown, depth = 0): string => {
  const own = err instanceof Error ? (err.stack ?? err.message) : String(err);
  const cause = err instanceof Error ? err.cause : undefined;
  return cause !== undefined && depth < 5 ? `${own}\nCaused by: ${errorDetail(cause, depth + 1)}` : own;
};
