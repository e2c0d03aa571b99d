import type { Handlers } from '../../contract/router.js';
import { tailLog } from '../../log/log-tail.js';
import { isLevel, type AppLogger, type Level, type Logger } from '../../log/logger.js';
import type { Store } from '../../store/store.js';
import { AppError, errorMessage } from '../../domain/errors/app-error.js';

/** Where the chosen log level is kept in the store. */
export const LOG_LEVEL_SETTING = 'log.level';

export interface LogHandlerDeps {
  /** The app's logger; null when it does not write a file (tests pass plain loggers). */
  logger: AppLogger | null;
  log: Logger;
  store: () => Store | null;
}

/** The level stored in the settings, if any. */
export const storedLogLevel = (store: Store | null): Level | undefined => {
  const v = store?.settings.get(LOG_LEVEL_SETTING);
  return isLevel(v) ? v : undefined;
};

export const logHandlers = (deps: LogHandlerDeps): Pick<Handlers, 'logs.tail' | 'logs.setLevel'> => {
  const logger = (): AppLogger & { file: string } => {
    const l = deps.logger;
    if (!l?.file)
      throw new AppError('unavailable', 'This app does not write a log file (it logs to the console only).');
    return l as AppLogger & { file: string };
  };
  return {
    'logs.tail': ({ level, limit, search }) => {
      const l = logger();
      l.flush();
      try {
        const { lines, truncated } = tailLog(l.file, l.keep, { level, limit, search });
        return { lines, truncated, file: l.file, recording: l.level(), rotatedFiles: l.keep };
      } catch (err) {
        throw new AppError('unavailable', `The log file ${l.file} could not be read: ${errorMessage(err)}`);
      }
    },
    'logs.setLevel': ({ level }) => {
      const l = logger();
      const before = l.level();
      // Said at the level that is being left too, so the change is in the log whichever way it goes.
      if (before !== level) deps.log.warn(`Log level changed from ${before} to ${level}.`);
      l.setLevel(level);
      try {
        deps.store()?.settings.set(LOG_LEVEL_SETTING, level);
      } catch (err) {
        deps.log.warn(`The log level could not be kept for the next start: ${errorMessage(err)}`);
      }
      return { level };
    },
  };
};
