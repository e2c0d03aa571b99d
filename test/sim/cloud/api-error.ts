import type { ApiErrorCode } from '../../../main/sync/api/model.js';
import type { z } from 'zod';

/** An error answer in the documented envelope; thrown by handlers, rendered by the server. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: Record<string, unknown> | { field: string; message: string }[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { error: { code: string; message: string; details?: unknown } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export const validationError = (fields: { field: string; message: string }[]): ApiError =>
  new ApiError(400, 'VALIDATION_ERROR', fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields);

export const notFound = (what: string, id: string): ApiError =>
  new ApiError(404, 'NOT_FOUND', `${what} with ID '${id}' not found`, { id });

/** Parses a request body with a model.ts schema; zod issues become VALIDATION_ERROR field details. */
export const parseBody = <S extends z.ZodType>(schema: S, body: unknown): z.infer<S> => {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw validationError(
    result.error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message })),
  );
};
