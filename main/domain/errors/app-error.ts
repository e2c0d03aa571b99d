import type { ErrorCode } from './error-code.js';
import type { FieldProblem } from './field-problem.js';

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
