import { resolve } from 'node:path';
import { AppError } from '../domain/errors/app-error.js';

export interface ServeArgs {
  host: string;
  port: number;
  dataDir: string | undefined;
  configFile: string | undefined;
  allowRemote: boolean;
  demoSpeed: number | undefined;
}

export const serveUsage = `Usage: npm run serve -- [options]
  --port N          port to listen on (default 8420; 0 picks a free port)
  --host H          address to bind (default 127.0.0.1)
  --allow-remote    required to bind to a non-loopback address (exposes the service to the network)
  --data-dir DIR    where the store, logs and certificates live (default: the user data folder)
  --config FILE     devices, tags, alarm rules and sync settings as JSON, applied at every start
                    (schema: main/app/config/twinedge-config.schema.json; never the API key). A broken file
                    is reported and the last good settings are kept. A rule no longer in the file is
                    deleted; a device no longer in it is disabled, its samples kept
  --demo-speed X    run the demo plant X times faster than real time (default 1)
  --help            this text
Environment:
  TWINEDGE_ACCESS_TOKEN   a fixed access token (32+ characters of A-Z a-z 0-9 - _), so the URL stays the same
                          across restarts; without it every run makes a new one`;

/** Parses browser-mode arguments; unknown or malformed ones are refused with a plain message. */
export const parseServeArgs = (argv: readonly string[]): ServeArgs | 'help' => {
  const args: ServeArgs = {
    host: '127.0.0.1',
    port: 8420,
    dataDir: undefined,
    configFile: undefined,
    allowRemote: false,
    demoSpeed: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new AppError('invalid_input', `${flag} needs a value.\n${serveUsage}`);
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--port': {
        const v = value();
        const port = Number(v);
        if (!/^\d+$/.test(v) || port > 65_535)
          throw new AppError('invalid_input', `--port expects a number from 0 to 65535, got "${v}".`);
        args.port = port;
        break;
      }
      case '--host':
        args.host = value();
        break;
      case '--data-dir':
        args.dataDir = resolve(value());
        break;
      case '--config':
        args.configFile = resolve(value());
        break;
      case '--allow-remote':
        args.allowRemote = true;
        break;
      case '--demo-speed': {
        const v = value();
        const speed = Number(v);
        if (!Number.isFinite(speed) || speed <= 0 || speed > 1000) {
          throw new AppError('invalid_input', `--demo-speed expects a number above 0 and at most 1000, got "${v}".`);
        }
        args.demoSpeed = speed;
        break;
      }
      default:
        throw new AppError('invalid_input', `Unknown option "${arg}".\n${serveUsage}`);
    }
  }
  return args;
};
