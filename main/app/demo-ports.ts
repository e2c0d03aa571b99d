import type { DeviceConfig } from '../domain/device/device-schema.js';
import type { Store } from '../store/store.js';
import type { DemoEndpoints } from './demo-setup.js';

/**
 * The demo plant's ports across restarts: the ports it used last time are tried first (kept in the store), and the
 * ports it used before and no longer uses are remembered, so a device pointed at one of them is flagged instead of
 * reading whatever listens there now and looking connected.
 */

export interface DemoPorts {
  opcua: number;
  modbus: number;
}

const keys = { ports: 'demo.ports', former: 'demo.formerPorts' } as const;

const isPort = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 65_535;

/** The ports the demo plant used last time, or null on a first start (or a store that holds none). */
export const readDemoPorts = (store: Store | null): DemoPorts | null => {
  const v = store?.settings.get(keys.ports);
  if (typeof v !== 'object' || v === null) return null;
  const { opcua, modbus } = v as Record<string, unknown>;
  return isPort(opcua) && isPort(modbus) ? { opcua, modbus } : null;
};

const readFormer = (store: Store): DemoPorts[] => {
  const v = store.settings.get(keys.former);
  if (!Array.isArray(v)) return [];
  return v.flatMap((p: unknown) => {
    if (typeof p !== 'object' || p === null) return [];
    const { opcua, modbus } = p as Record<string, unknown>;
    return isPort(opcua) && isPort(modbus) ? [{ opcua, modbus }] : [];
  });
};

export const portsOf = (endpoints: DemoEndpoints): DemoPorts => ({
  opcua: Number(new URL(endpoints.opcuaEndpoint).port),
  modbus: endpoints.modbusPort,
});

/**
 * Keeps the ports the demo plant listens on now for the next start. When they differ from last time's (those were
 * taken), remembers the old ones and returns what to tell the user; null when the demo plant stayed where it was.
 */
export const recordDemoPorts = (store: Store, now: DemoPorts): string | null => {
  const before = readDemoPorts(store);
  store.settings.set(keys.ports, now);
  if (!before || (before.opcua === now.opcua && before.modbus === now.modbus)) return null;
  const former = readFormer(store).filter((p) => p.opcua !== before.opcua || p.modbus !== before.modbus);
  store.settings.set(keys.former, [...former, before].slice(-10));
  const moved = [
    before.opcua !== now.opcua ? `OPC UA port ${before.opcua} was taken, it now listens on ${now.opcua}` : null,
    before.modbus !== now.modbus ? `Modbus TCP port ${before.modbus} was taken, it now listens on ${now.modbus}` : null,
  ].filter((m) => m !== null);
  return (
    `The demo plant moved: ${moved.join('; ')}. The demo devices were moved with it; ` +
    'check any device of yours that pointed at the old port.'
  );
};

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i;

/** Host and port a device connects to over TCP, or null (serial line, unparsable URL). */
const tcpTarget = (config: DeviceConfig): { host: string; port: number } | null => {
  if (config.protocol === 'modbus')
    return config.settings.transport === 'rtu' ? null : { host: config.settings.host, port: config.settings.port };
  try {
    const url = new URL(config.settings.endpointUrl);
    return { host: url.hostname, port: Number(url.port || 4840) };
  } catch {
    return null;
  }
};

/**
 * Why a device's endpoint is suspect: it points at a port on this computer that the demo plant used before and does
 * not use now (moved, or not running), so what answers there is not the demo plant. Null otherwise.
 */
export const demoPortWarning = (
  store: Store | null,
  config: DeviceConfig,
  running: DemoEndpoints | null,
): string | null => {
  if (!store) return null;
  const target = tcpTarget(config);
  if (!target || !LOOPBACK.test(target.host)) return null;
  const last = readDemoPorts(store);
  const protocol = config.protocol;
  const known = [...readFormer(store), ...(last ? [last] : [])].map((p) => p[protocol]);
  if (!known.includes(target.port)) return null;
  if (running && portsOf(running)[protocol] === target.port) return null;
  const where = !running
    ? 'the demo plant is not running'
    : `the demo plant now listens on ${protocol === 'opcua' ? running.opcuaEndpoint : `${running.modbusHost}:${running.modbusPort}`}`;
  return `Port ${target.port} was the demo plant's; ${where}. Whatever answers on ${target.port} now is not the demo plant.`;
};
