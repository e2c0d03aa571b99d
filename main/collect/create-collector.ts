import type { DeviceConfig } from '../domain/device/device-schema.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { ModbusLines } from './modbus/line-registry.js';
import { ModbusCollector } from './modbus/modbus-collector.js';
import { DeferredCollector } from './deferred-collector.js';
import type { BackfillPersistence } from './opcua/backfill.js';
import type { Collector, CollectorDevice, CollectorEvents } from './types.js';
import type { ServerEventSink } from './server-events.js';

/** The one place that knows which collector serves which protocol. */
export const createCollector = (
  device: CollectorDevice,
  events: CollectorEvents,
  /** secrets: where device passwords are read from when connecting (the OS keychain). */
  /** serverEvents: where OPC UA servers' own alarms and events go. */
  /** backfill: where an OPC UA device keeps its pending backfill after an outage (the app: its settings). */
  opts: {
    pkiDir: string;
    modbusLines: ModbusLines;
    secrets: SecretStore;
    serverEvents?: ServerEventSink;
    backfill?: BackfillPersistence;
  },
): Collector => {
  const config: DeviceConfig = device.config;
  switch (config.protocol) {
    case 'opcua':
      // Loaded on start: node-opcua is only loaded once an OPC UA device collects.
      return new DeferredCollector(
        () =>
          import('./opcua/opcua-collector.js').then(
            (m) =>
              new m.OpcUaCollector({ ...device, config }, events, {
                pkiDir: opts.pkiDir,
                secrets: opts.secrets,
                ...(opts.serverEvents ? { serverEvents: opts.serverEvents } : {}),
                ...(opts.backfill ? { backfill: { persistence: opts.backfill } } : {}),
              }),
          ),
        events,
      );
    case 'modbus':
      return new ModbusCollector({ ...device, config }, events, { lines: opts.modbusLines });
  }
};
