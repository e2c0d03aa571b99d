import type { DeviceView } from '../../../main/contract/contract';
import type {
  modbusAreas,
  modbusDataTypes,
  modbusWordOrders,
  opcuaSecurityModes,
  opcuaSecurityPolicies,
} from '../../../main/config/device-schema';

/** What the device form edits. Numbers are null while the input is empty (the schema reports it). */
export interface OpcUaTagDraft {
  id?: number;
  name: string;
  unit: string;
  nodeId: string;
  samplingIntervalMs: number | null;
}

export interface ModbusTagDraft {
  id?: number;
  name: string;
  unit: string;
  area: (typeof modbusAreas)[number];
  address: number | null;
  dataType: (typeof modbusDataTypes)[number];
  wordOrder: (typeof modbusWordOrders)[number];
  scale: number | null;
  offset: number | null;
}

export interface OpcUaDraft {
  id?: number;
  name: string;
  protocol: 'opcua';
  enabled: boolean;
  settings: {
    endpointUrl: string;
    securityMode: (typeof opcuaSecurityModes)[number];
    securityPolicy: (typeof opcuaSecurityPolicies)[number];
    publishingIntervalMs: number | null;
  };
  tags: OpcUaTagDraft[];
}

export interface ModbusDraft {
  id?: number;
  name: string;
  protocol: 'modbus';
  enabled: boolean;
  settings: {
    host: string;
    port: number | null;
    unitId: number | null;
    pollIntervalMs: number | null;
    timeoutMs: number | null;
  };
  tags: ModbusTagDraft[];
}

export type DeviceDraft = OpcUaDraft | ModbusDraft;

export function newOpcUaDraft(): OpcUaDraft {
  return {
    name: '',
    protocol: 'opcua',
    enabled: true,
    settings: {
      endpointUrl: 'opc.tcp://',
      securityMode: 'None',
      securityPolicy: 'None',
      publishingIntervalMs: 1000,
    },
    tags: [newOpcUaTag()],
  };
}

export function newOpcUaTag(): OpcUaTagDraft {
  return { name: '', unit: '', nodeId: '', samplingIntervalMs: 1000 };
}

export function newModbusDraft(): ModbusDraft {
  return {
    name: '',
    protocol: 'modbus',
    enabled: true,
    settings: { host: '', port: 502, unitId: 1, pollIntervalMs: 1000, timeoutMs: 2000 },
    tags: [newModbusTag()],
  };
}

export function newModbusTag(): ModbusTagDraft {
  return {
    name: '',
    unit: '',
    area: 'holding',
    address: 0,
    dataType: 'uint16',
    wordOrder: 'ABCD',
    scale: 1,
    offset: 0,
  };
}

export function draftFromDevice(d: DeviceView): DeviceDraft {
  // A deep copy: the form edits its own object, never the list's.
  return JSON.parse(JSON.stringify(d.config)) as DeviceDraft;
}

export function endpointText(d: DeviceView): string {
  const c = d.config;
  if (c.protocol === 'opcua') return c.settings.endpointUrl;
  return `${c.settings.host}:${c.settings.port} · unit ${c.settings.unitId}`;
}

export const protocolLabel = { opcua: 'OPC UA', modbus: 'Modbus TCP' } as const;
