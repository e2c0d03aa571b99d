/**
 * stdout and stderr that the process survives losing. A headless gateway's console is often a pipe (systemd,
 * `| tee`, an SSH session): when its reader goes away a write fails with EPIPE, which Node raises as an
 * 'error' event and, with no listener, as an uncaught exception that ends the service. Here the first failure
 * marks the stream gone, nothing more is written to it, and the listeners (the logger) are told once.
 */
export type ConsoleStream = 'stdout' | 'stderr';

const gone = new Map<ConsoleStream, string>();
const guarded = new Set<ConsoleStream>();
const listeners = new Set<(stream: ConsoleStream, reason: string) => void>();

const reasonOf = (err: unknown): string => {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : 'closed';
};

const markGone = (stream: ConsoleStream, err: unknown): void => {
  if (gone.has(stream)) return;
  const reason = reasonOf(err);
  gone.set(stream, reason);
  for (const l of [...listeners]) l(stream, reason);
};

/** Installs the error listener on a stream (idempotent); done before the first write to it. */
export const guardConsole = (stream: ConsoleStream): void => {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  process[stream].on('error', (err) => markGone(stream, err));
};

/** Writes text to stdout or stderr unless that stream went away; false when it was not written. */
export const writeConsole = (stream: ConsoleStream, text: string): boolean => {
  if (gone.has(stream)) return false;
  guardConsole(stream);
  const s = process[stream];
  if (s.destroyed || s.writableEnded) {
    markGone(stream, new Error('closed'));
    return false;
  }
  try {
    s.write(text);
    return true;
  } catch (err) {
    markGone(stream, err);
    return false;
  }
};

/** Why the stream is gone (an error code such as EPIPE), or null while it is usable. */
export const consoleGone = (stream: ConsoleStream): string | null => gone.get(stream) ?? null;

/** Called once per stream when it goes away; returns a function that removes the listener. */
export const onConsoleGone = (listener: (stream: ConsoleStream, reason: string) => void): (() => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};
