import { formatModicon } from '../../domain/device/modbus-address.js';
import { areaOfFunction } from './addresses.js';
import type { ModbusRequest } from './pdu.js';

const tableWords: Record<string, [string, string]> = {
  coil: ['coil', 'coils'],
  discrete: ['discrete input', 'discrete inputs'],
  input: ['input register', 'input registers'],
  holding: ['holding register', 'holding registers'],
};

/** A request as an engineer reads it: "FC 3 read holding registers 40001-40002 (offset 0, 2 registers), unit 1". */
export const describeRequest = (req: ModbusRequest, unitId: number): string => {
  const area = areaOfFunction(req.fc) ?? 'holding';
  const count = 'quantity' in req ? req.quantity : 'values' in req ? req.values.length : 1;
  const [one, many] = tableWords[area]!;
  const first = formatModicon(area, req.address);
  const range = count > 1 ? `${first}-${formatModicon(area, req.address + count - 1)}` : first;
  const verb = req.fc <= 4 ? 'read' : 'write';
  return `FC ${req.fc} ${verb} ${count > 1 ? many : one} ${range} (offset ${req.address}, ${count} ${
    area === 'coil' || area === 'discrete' ? (count > 1 ? 'bits' : 'bit') : count > 1 ? 'registers' : 'register'
  }), unit ${unitId}`;
};
