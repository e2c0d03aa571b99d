import type { ModbusArea } from '../../domain/device/modbus-schema.js';

/** Which table a function code reads or writes. */
export const areaOfFunction = (fc: number): ModbusArea | null => {
  switch (fc) {
    case 1:
    case 5:
    case 15:
      return 'coil';
    case 2:
      return 'discrete';
    case 4:
      return 'input';
    case 3:
    case 6:
    case 16:
      return 'holding';
    default:
      return null;
  }
};

export const readFunctionOf = (area: ModbusArea): 1 | 2 | 3 | 4 =>
  area === 'coil' ? 1 : area === 'discrete' ? 2 : area === 'input' ? 4 : 3;
