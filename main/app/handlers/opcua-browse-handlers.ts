import type { SecretStore } from '../../secrets/secret-store.js';
import type { OpcUaBrowseService } from '../../collect/opcua/browse-service.js';
import { OpcUaBrowseError } from '../../collect/opcua/opcua-errors.js';
import type { BrowseSessionDevice } from '../../collect/opcua/browse-session.js';
import type { AppInfo } from '../../domain/app/app-info.js';
import type { Handlers } from '../../contract/router.js';
import type { EventHub } from '../event-hub.js';
import type { Logger } from '../../log/logger.js';
import type { Store } from '../../store/store.js';
import { actor } from '../actor.js';
import { AppError, errorMessage } from '../../domain/errors/app-error.js';

/**
 * opcua.browse / opcua.read / opcua.write: the address-space browser. The browse service keeps one
 * session per device; sessions of deleted devices, or of devices whose connection settings changed,
 * are closed when the device list changes, and all of them by `close()` on app stop.
 */

export interface OpcUaBrowseDeps {
  pkiDir: string;
  secrets: SecretStore;
  /** Throws AppError('store_unavailable') when the store is not open. */
  store: () => Store;
  shell: AppInfo['shell'];
  log: Logger;
  events: EventHub;
  /** For tests; otherwise made from pkiDir. */
  service?: OpcUaBrowseService;
}

export type OpcUaBrowseHandlers = Pick<Handlers, 'opcua.browse' | 'opcua.read' | 'opcua.write'>;

const toAppError = (err: unknown): AppError => {
  if (err instanceof AppError) return err;
  if (err instanceof OpcUaBrowseError) {
    switch (err.kind) {
      case 'node_unknown':
        return new AppError('not_found', capital(err.message));
      case 'refused':
        return new AppError('invalid_input', capital(err.message));
      case 'not_connected':
      case 'server_error':
        return new AppError('device_error', capital(err.message));
    }
  }
  return new AppError('device_error', capital(errorMessage(err)));
};

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export const opcuaBrowseHandlers = (
  deps: OpcUaBrowseDeps,
): { handlers: OpcUaBrowseHandlers; close: () => Promise<void> } => {
  // Made on the first browse, read or write: the service loads node-opcua (about 2 s), which start must not wait for.
  let loaded: Promise<OpcUaBrowseService> | undefined = deps.service ? Promise.resolve(deps.service) : undefined;
  const service = (): Promise<OpcUaBrowseService> =>
    (loaded ??= import('../../collect/opcua/browse-service.js').then(
      (m) => new m.OpcUaBrowseService({ pkiDir: deps.pkiDir, secrets: deps.secrets }),
    ));

  const device = (deviceId: number): BrowseSessionDevice => {
    const d = deps.store().devices.get(deviceId);
    if (!d) throw new AppError('not_found', `Device ${deviceId} does not exist (deleted meanwhile?).`);
    if (d.config.protocol !== 'opcua') {
      throw new AppError(
        'invalid_input',
        `"${d.config.name}" is not an OPC UA device: it has no address space to browse.`,
      );
    }
    return { id: d.id, name: d.config.name, settings: d.config.settings };
  };

  const unsubscribe = deps.events.subscribe((event) => {
    // Before the first call there are no sessions to close.
    if (event !== 'devices.changed' || !loaded) return;
    let list: BrowseSessionDevice[];
    try {
      list = deps
        .store()
        .devices.list()
        .flatMap((d) =>
          d.config.protocol === 'opcua' ? [{ id: d.id, name: d.config.name, settings: d.config.settings }] : [],
        );
    } catch {
      list = [];
    }
    void loaded.then((s) => s.retain(list));
  });

  const handlers: OpcUaBrowseHandlers = {
    'opcua.browse': async ({ deviceId, ...target }) => {
      const d = device(deviceId);
      try {
        return await (await service()).browse(d, target);
      } catch (err) {
        throw toAppError(err);
      }
    },
    'opcua.read': async ({ deviceId, nodeId, indexRange, field }) => {
      const d = device(deviceId);
      const part =
        indexRange !== undefined || field !== undefined
          ? { indexRange: indexRange ?? '', field: field ?? '' }
          : undefined;
      try {
        return await (await service()).readNode(d, nodeId, part);
      } catch (err) {
        throw toAppError(err);
      }
    },
    'opcua.write': async ({ deviceId, nodeId, value }) => {
      const d = device(deviceId);
      const store = deps.store();
      const tag = store.devices.get(deviceId)?.tags.find((t) => t.address === nodeId);
      const started = Date.now();
      const entry = {
        ts: started,
        actor: actor(deps.shell),
        action: 'write' as const,
        deviceId,
        deviceName: d.name,
        target: tag ? `${tag.name} (${nodeId})` : nodeId,
        value: `${typeof value === 'string' ? JSON.stringify(value) : String(value)}${tag?.unit ? ` ${tag.unit}` : ''}`,
      };
      try {
        const { request } = await (await service()).write(d, nodeId, value);
        const auditId = store.audit.add({ ...entry, outcome: 'ok', message: request });
        deps.log.info(
          `Write by ${entry.actor}: ${entry.target} = ${entry.value} on "${entry.deviceName}" (${request}).`,
        );
        return { request, durationMs: Date.now() - started, auditId };
      } catch (err) {
        const e = toAppError(err);
        store.audit.add({ ...entry, outcome: 'failed', message: e.message });
        deps.log.warn(
          `Write by ${entry.actor} failed: ${entry.target} = ${entry.value} on "${entry.deviceName}": ${e.message}`,
        );
        throw e.code === 'device_error' ? new AppError('device_error', `The write was not confirmed: ${e.message}`) : e;
      }
    },
  };

  return {
    handlers,
    close: async () => {
      unsubscribe();
      await (await loaded)?.closeAll();
    },
  };
};
