import { areaNames, formatModicon } from './modbus-address.js';
import { isBitArea, orderLabel, type ModbusTag } from './modbus-schema.js';
import type { DeviceConfig, OpcUaTag } from './device-schema.js';

/**
 * A tag's address as an engineer reads it, e.g. "HR 12 (40013) float32 CDAB", "ns=1;s=Pump.Flow", or for a part of an
 * OPC UA value "ns=1;s=Temps [2]", "ns=1;s=Pump1 · Motor.Speed".
 */
export const describeTagAddress = (protocol: DeviceConfig['protocol'], tag: OpcUaTag | ModbusTag): string => {
  if (protocol === 'opcua') {
    const t = tag as OpcUaTag;
    return `${t.nodeId}${t.indexRange ? ` [${t.indexRange}]` : ''}${t.field ? ` · ${t.field}` : ''}`;
  }
  const t = tag as ModbusTag;
  const where = `${areaNames[t.area].short} ${t.address} (${formatModicon(t.area, t.address)})`;
  if (isBitArea(t.area)) return where;
  if (t.dataType === 'bool') return `${where} bit ${t.bit ?? 0}`;
  if (t.dataType === 'string')
    return `${where} string[${t.length * 2}]${t.wordOrder === 'ABCD' || t.wordOrder === 'CDAB' ? '' : ' byte-swapped'}`;
  const ordered =
    t.dataType !== 'int16' && t.dataType !== 'uint16'
      ? ` ${orderLabel(t.dataType, t.wordOrder)}`
      : t.wordOrder === 'BADC' || t.wordOrder === 'DCBA'
        ? ' byte-swapped'
        : '';
  return `${where} ${t.dataType}${ordered}`;
};
