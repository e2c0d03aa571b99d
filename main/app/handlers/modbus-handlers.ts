// Modbus test reads and audited writes, and the audit log those writes (and OPC UA writes) are listed from.
import { ModbusRequestError } from '../../collect/modbus/errors.js';
import type { ModbusService } from '../../collect/modbus/modbus-service.js';
import { withoutRetry } from '../../collect/retry-text.js';
import type { Handlers } from '../../contract/router.js';
import type { Logger } from '../../log/logger.js';
import type { Store } from '../../store/store.js';
import { AppError, errorMessage } from '../../domain/errors/app-error.js';

type ModbusCalls = 'modbus.testRead' | 'modbus.write' | 'audit.list';

export interface ModbusHandlerDeps {
  /** Throws AppError('store_unavailable') when the store is not open. */
  requireStore: () => Store;
  modbus: Pick<ModbusService, 'testRead' | 'write'>;
  log: Logger;
  /** Who is writing, for the audit log (asked at each write). */
  actor: () => string;
}

export const modbusHandlers = (deps: ModbusHandlerDeps): Pick<Handlers, ModbusCalls> => ({
  'modbus.testRead': async ({ settings, tag }) => {
    try {
      return await deps.modbus.testRead(settings, tag);
    } catch (err) {
      if (err instanceof AppError) throw err;
      // No connection (refused, unreachable): the device's problem, said once; a test read is not retried.
      const message = withoutRetry(errorMessage(err));
      throw new AppError('device_error', message.charAt(0).toUpperCase() + message.slice(1));
    }
  },
  'modbus.write': async ({ deviceId, tagId, value }) => {
    const s = deps.requireStore();
    const device = s.devices.get(deviceId);
    if (!device) throw new AppError('not_found', `Device ${deviceId} does not exist.`);
    if (device.config.protocol !== 'modbus') {
      throw new AppError('invalid_input', `"${device.config.name}" is not a Modbus device.`);
    }
    const info = device.tags.find((t) => t.id === tagId);
    const tag = info && device.config.tags.find((t) => t.name === info.name);
    if (!info || !tag) throw new AppError('not_found', `Tag ${tagId} is not on "${device.config.name}".`);
    const started = Date.now();
    const entry = {
      ts: started,
      actor: deps.actor(),
      action: 'write' as const,
      deviceId,
      deviceName: device.config.name,
      target: `${tag.name} (${info.address})`,
      value: `${String(value)}${tag.unit ? ` ${tag.unit}` : ''}`,
    };
    try {
      const { request } = await deps.modbus.write(device.config.settings, tag, value);
      const auditId = s.audit.add({ ...entry, outcome: 'ok', message: request });
      deps.log.info(`Write by ${entry.actor}: ${entry.target} = ${entry.value} on "${entry.deviceName}" (${request}).`);
      return { request, durationMs: Date.now() - started, auditId };
    } catch (err) {
      const message = errorMessage(err);
      s.audit.add({ ...entry, outcome: 'failed', message });
      deps.log.warn(
        `Write by ${entry.actor} failed: ${entry.target} = ${entry.value} on "${entry.deviceName}": ${message}`,
      );
      throw err instanceof ModbusRequestError
        ? new AppError('invalid_input', message)
        : new AppError('device_error', `The write was not confirmed: ${message}`);
    }
  },
  'audit.list': ({ limit, deviceId }) => deps.requireStore().audit.list(limit, deviceId),
});
