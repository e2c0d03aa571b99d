import type { Handlers } from '../../contract/router.js';
import { SecretStoreError } from '../../secrets/secret-store.js';
import { TwinEdgeApiError } from '../../sync/client/api-error.js';
import { DeviceLinkError } from '../../sync/device-sync.js';
import { TwinEdgeNotConfigured, type SyncService } from '../../sync/sync-service.js';
import { AppError } from '../../domain/errors/app-error.js';

type SyncCalls =
  | 'sync.status'
  | 'sync.configure'
  | 'sync.setKey'
  | 'sync.removeKey'
  | 'sync.testKey'
  | 'sync.setPaused'
  | 'sync.rejections'
  | 'sync.resolveDevice'
  | 'sync.cloudDevices'
  | 'sync.linkDevice'
  | 'cloud.alerts'
  | 'cloud.alerts.create'
  | 'cloud.dashboards'
  | 'cloud.models'
  | 'cloud.predictions'
  | 'cloud.train'
  | 'cloud.trainingJob';

/**
 * Cloud failures become contract errors with the client's plain-language message (never the key). Anything
 * else is unexpected and goes on as it is: the router logs it and gives the client a reference.
 */
const toAppError = (err: unknown): unknown => {
  if (err instanceof AppError) return err;
  if (err instanceof TwinEdgeApiError) {
    const code =
      err.status === 404
        ? 'not_found'
        : err.status === 409
          ? 'conflict'
          : err.status === 400
            ? 'invalid_input'
            : 'unavailable';
    return new AppError(code, err.userMessage);
  }
  if (err instanceof TwinEdgeNotConfigured) return new AppError('unavailable', err.message);
  if (err instanceof DeviceLinkError) return new AppError('not_found', err.message);
  if (err instanceof SecretStoreError)
    return new AppError('unavailable', `The API key could not be stored: ${err.message}`);
  return err;
};

/** The cloud-sync calls, each failure turned into a contract error. */
export const syncHandlers = (sync: () => SyncService): Pick<Handlers, SyncCalls> => {
  const handlers: Pick<Handlers, SyncCalls> = {
    'sync.status': () => sync().status(),
    'sync.configure': (input) => sync().configure(input),
    'sync.setKey': ({ key }) => sync().setKey(key),
    'sync.removeKey': () => sync().removeKey(),
    'sync.testKey': () => sync().testKey(),
    'sync.setPaused': ({ paused }) => sync().setPaused(paused),
    'sync.rejections': ({ limit }) => sync().rejections(limit),
    'sync.resolveDevice': ({ deviceId, action }) => sync().resolveDevice(deviceId, action),
    'sync.cloudDevices': () => sync().cloudDevices(),
    'sync.linkDevice': ({ deviceId, cloudId }) => sync().linkDevice(deviceId, cloudId),
    'cloud.alerts': ({ refresh }) => sync().alerts(refresh),
    'cloud.alerts.create': (body) => sync().createAlertRule(body),
    'cloud.dashboards': ({ refresh }) => sync().dashboards(refresh),
    'cloud.models': ({ refresh }) => sync().models(refresh),
    'cloud.predictions': ({ deviceId, hours }) => sync().predictions(deviceId, hours),
    'cloud.train': (input) => sync().train(input),
    'cloud.trainingJob': ({ id }) => sync().trainingJob(id),
  };
  const guarded: Record<string, (input: never) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(handlers) as [string, (input: never) => unknown][]) {
    guarded[name] = async (input) => {
      try {
        return await fn(input);
      } catch (err) {
        throw toAppError(err);
      }
    };
  }
  return guarded as unknown as Pick<Handlers, SyncCalls>;
};
