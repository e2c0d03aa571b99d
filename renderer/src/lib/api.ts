import type { Bridge, Events, TwinEdgeApi } from '../../../main/contract/contract';
import { callNames, type CallName, type EventName, type WireResult } from '../../../main/contract/wire';
import type { ErrorCode } from '../../../main/domain/errors/error-code';
import type { FieldProblem } from '../../../main/domain/errors/field-problem';

/** Every failed call surfaces as an ApiError: a contract error code, plain message and field problems. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly fields: FieldProblem[];
  readonly call: CallName;

  constructor(call: CallName, code: ErrorCode, message: string, fields: FieldProblem[] = []) {
    super(message);
    this.name = 'ApiError';
    this.call = call;
    this.code = code;
    this.fields = fields;
  }
}

/** Plain-language text for any thrown value, for banners and inline errors. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

function isWireResult(v: unknown): v is WireResult<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { ok?: unknown }).ok === 'boolean';
}

/** Builds the typed API on top of a transport: unwraps the result envelope, throws ApiError. */
export function createApi(bridge: Bridge): TwinEdgeApi {
  const invoke = async (name: CallName, input: unknown): Promise<unknown> => {
    let result: unknown;
    try {
      result = await bridge.invoke(name, input);
    } catch (err) {
      // Transport failure (socket closed, IPC gone): the call did not get an answer.
      throw new ApiError(name, 'unavailable', err instanceof Error ? err.message : String(err));
    }
    if (!isWireResult(result)) {
      throw new ApiError(name, 'internal', `malformed answer to ${name}`);
    }
    if (result.ok) return result.value;
    const e = result.error;
    throw new ApiError(name, e.code, e.message, e.fields ?? []);
  };

  type Listener = (payload: never) => void;
  const listeners = new Map<EventName, Set<Listener>>();
  let detach: (() => void) | null = null;

  const dispatch = (event: EventName, payload: unknown): void => {
    const set = listeners.get(event);
    if (!set) return;
    for (const l of [...set]) {
      try {
        (l as (p: unknown) => void)(payload);
      } catch (err) {
        console.error(`listener for ${event} failed`, err);
      }
    }
  };

  const api: Record<string, unknown> = {};
  for (const name of callNames) {
    api[name] = (input: unknown) => invoke(name, input ?? {});
  }
  api.on = <E extends EventName>(event: E, listener: (payload: Events[E]) => void): (() => void) => {
    if (!detach) detach = bridge.on(dispatch);
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  };
  return api as TwinEdgeApi;
}
