import { setDebugLogger, setErrorLogger, setWarningLogger } from 'node-opcua';

/**
 * node-opcua prints warnings and errors straight to the console (certificate notes, every lost
 * connection). Collectors report through states instead, so its own output is routed to a sink
 * the caller chooses (by default: dropped). Process-wide, because node-opcua's loggers are.
 */
export type OpcUaLogSink = (level: 'debug' | 'warning' | 'error', text: string) => void;

let installed = false;

export const routeOpcUaLogs = (sink: OpcUaLogSink = () => undefined): void => {
  const fmt = (args: unknown[]): string => args.map((a) => (typeof a === 'string' ? a : String(a))).join(' ');
  setDebugLogger((...args: unknown[]) => sink('debug', fmt(args)));
  setWarningLogger((...args: unknown[]) => sink('warning', fmt(args)));
  setErrorLogger((...args: unknown[]) => sink('error', fmt(args)));
  installed = true;
};

/** Installs the silent sink unless the app already routed the logs somewhere. */
export const quietOpcUaLogs = (): void => {
  if (!installed) routeOpcUaLogs();
};
