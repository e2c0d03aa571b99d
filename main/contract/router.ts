import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../domain/errors/app-error.js';
import type { FieldProblem } from '../domain/errors/field-problem.js';
import { calls, type CallOutput, type CallParsed } from './contract.js';
import { isCallName, type CallName, type WireError, type WireResult } from './wire.js';

export type Handlers = {
  [K in CallName]: (input: CallParsed<K>) => CallOutput<K> | Promise<CallOutput<K>>;
};

export interface Router {
  /** Validates and runs one call. Never throws: every failure becomes a typed WireError. */
  invoke(name: unknown, input: unknown): Promise<WireResult<unknown>>;
}

const fieldsOf = (error: z.ZodError): FieldProblem[] =>
  error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));

const describe = (fields: FieldProblem[]): string =>
  fields
    .slice(0, 3)
    .map((f) => (f.path ? `${f.path}: ${f.message}` : f.message))
    .join('; ') + (fields.length > 3 ? ` (and ${fields.length - 3} more)` : '');

/** A short code that ties the client's message to the full log line. */
export const newErrorRef = (): string => randomBytes(4).toString('hex');

/**
 * The client's view of a failure. An unexpected exception's text can hold paths, SQL or a peer's reply, so it
 * goes only to the log: the client gets a reference to find it there.
 */
export const toWireError = (err: unknown, ref: string = newErrorRef()): WireError => {
  if (err instanceof AppError) {
    return { code: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}) };
  }
  if (err instanceof z.ZodError) {
    const fields = fieldsOf(err);
    return { code: 'invalid_input', message: `Invalid input: ${describe(fields)}`, fields };
  }
  return {
    code: 'internal',
    message: `Internal error (reference ${ref}). TwinEdge kept running; the details are in the log (Settings → Logs).`,
  };
};

/** Called for every failure the client sees as `internal`, with the reference its message carries. */
export type InternalErrorReport = (name: string, err: unknown, ref: string) => void;

/**
 * Turns an error a handler threw into one the user can act on (e.g. a full disk under a settings change), or null
 * to leave it as it is; called before the error is mapped for the client.
 */
export type ErrorExplainer = (name: string, err: unknown) => AppError | null;

/** One router for both shells: the handlers are registered once, here. */
export const createRouter = (
  handlers: Handlers,
  onInternalError?: InternalErrorReport,
  explain?: ErrorExplainer,
): Router => ({
  async invoke(name, input) {
    if (!isCallName(name)) {
      // Only a string is quoted: String() of an object sent as {"toString": 1} would itself throw.
      const message =
        typeof name === 'string'
          ? `Unknown call ${JSON.stringify(name).slice(0, 80)}`
          : `Unknown call: a call name is a string, not ${name === null ? 'null' : Array.isArray(name) ? 'an array' : typeof name}`;
      return { ok: false, error: { code: 'unknown_call', message } };
    }
    try {
      const parsed = calls[name].input.safeParse(input ?? {});
      if (!parsed.success) return { ok: false, error: toWireError(parsed.error) };
      const handler = handlers[name] as (input: unknown) => unknown;
      return { ok: true, value: await handler(parsed.data) };
    } catch (thrown) {
      const err = (!(thrown instanceof AppError) && explain?.(name, thrown)) || thrown;
      const ref = newErrorRef();
      const error = toWireError(err, ref);
      if (error.code === 'internal') onInternalError?.(name, err, ref);
      return { ok: false, error };
    }
  },
});
