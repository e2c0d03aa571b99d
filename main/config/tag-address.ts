import type { DeviceConfig, ModbusTag, OpcUaTag } from './device-schema.js';

const areaNames: Record<ModbusTag['area'], { short: string; base: number }> = {
  coil: { short: 'Coil', base: 1 },
  discrete: { short: 'DI', base: 10_001 },
  input: { short: 'IR', base: 30_001 },
  holding: { short: 'HR', base: 40_001 },
};

/** A tag's address as an engineer reads it, e.g. "HR 12 (40013) float32 CDAB" or "ns=1;s=Pump.Flow". */
export const describeTagAddress = (protocol: DeviceConfig['protocol'], tag: OpcUaTag | ModbusTag): string => {
  if (protocol === 'opcua') return (tag as OpcUaTag).nodeId;
  const t = tag as ModbusTag;
  const area = areaNames[t.area];
  const words = t.dataType === 'int32' || t.dataType === 'uint32' || t.dataType === 'float32';
  return `${area.short} ${t.address} (${area.base + t.address}) ${t.dataType}${words ? ` ${t.wordOrder}` : ''}`;
};
