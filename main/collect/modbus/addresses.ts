/**
 * Engineers read Modbus addresses in the classic 1-based notation (40001 = first holding register),
 * so every message shows that form; the wire uses 0-based offsets.
 */
export type ModbusArea = 'coil' | 'discrete' | 'input' | 'holding';

const prefix: Record<ModbusArea, number> = { coil: 0, discrete: 1, input: 3, holding: 4 };

export const formatAddress = (area: ModbusArea, address: number): string => {
  const p = prefix[area];
  // 5-digit form up to 9999 registers, 6-digit (e.g. 410001) beyond, as most tools do.
  return address < 9999
    ? String(p * 10_000 + address + 1).padStart(5, '0')
    : String(p * 100_000 + address + 1).padStart(6, '0');
};

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
