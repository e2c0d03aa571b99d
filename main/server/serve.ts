import { fileURLToPath } from 'node:url';
import { createApp } from '../app/create-app.js';
import { errorMessage } from '../domain/errors/app-error.js';
import { defaultDataDir } from '../app/paths.js';
import { guardConsole, writeConsole } from '../log/console-output.js';
import { createLogger, logCrashes, logFileOf } from '../log/logger.js';
import { secretRedactor } from '../log/redactor.js';
import { startBrowserServer } from './browser-server.js';
import { isLoopbackHost } from './loopback.js';
import { parseServeArgs, serveUsage } from './serve-args.js';
import { accessTokenFromEnv } from './token.js';

/**
 * Browser mode entry (`npm run serve`): the core plus an HTTP/WebSocket shell, for headless gateways
 * and for the end-to-end tests. Prints one line with the URL to open.
 */
const main = async (): Promise<void> => {
  // Whatever reads our output may go away (a closed pipe): the service goes on, logging to its file.
  guardConsole('stdout');
  guardConsole('stderr');
  const args = parseServeArgs(process.argv.slice(2));
  if (args === 'help') {
    writeConsole('stdout', `${serveUsage}\n`);
    return;
  }
  if (!isLoopbackHost(args.host) && !args.allowRemote) {
    throw new Error(
      `Refusing to listen on ${args.host}: that exposes TwinEdge to the network. Add --allow-remote if that is intended.`,
    );
  }
  if (!isLoopbackHost(args.host)) {
    writeConsole(
      'stderr',
      `WARNING: TwinEdge is listening on ${args.host}, reachable from the network. Anyone with the URL's token can read and change devices. Traffic is not encrypted.\n`,
    );
  }
  // Checked before anything starts: a malformed fixed token is a setup error, not a reason to run unguarded.
  const fixedToken = accessTokenFromEnv(process.env);
  const dataDir = args.dataDir ?? defaultDataDir();
  const logger = createLogger({ file: logFileOf(dataDir), console: true });
  // A crash is logged (redacted, to the file and stderr) before the process ends.
  logCrashes(logger, () => process.exit(1));
  const app = await createApp({
    dataDir,
    logger,
    shell: 'browser',
    version: __TWINEDGE_VERSION__,
    ...(args.configFile ? { configFile: args.configFile } : {}),
    ...(args.demoSpeed ? { demo: { speed: args.demoSpeed } } : {}),
  });
  let server;
  try {
    server = await startBrowserServer({
      router: app.router,
      events: app.events,
      rendererDir: fileURLToPath(new URL('../renderer/', import.meta.url)),
      host: args.host,
      port: args.port,
      ...(fixedToken ? { token: fixedToken } : {}),
      log: logger,
    });
  } catch (err) {
    await app.stop();
    throw err;
  }
  // The token guards the service like a password: no log line may carry it (this one line goes to stdout only).
  secretRedactor.register(server.token);
  writeConsole('stdout', `TwinEdge browser mode: ${server.url}\n`);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    writeConsole('stdout', `TwinEdge: ${signal} received, stopping collectors and closing the store...\n`);
    void server
      .close()
      .then(() => app.stop())
      .then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
};

main().catch((err: unknown) => {
  writeConsole('stderr', `${secretRedactor.redact(`TwinEdge could not start: ${errorMessage(err)}`)}\n`);
  process.exitCode = 1;
});
