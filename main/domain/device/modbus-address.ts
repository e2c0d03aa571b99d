import type { ModbusArea } from './modbus-schema.js';

/**
 * Modicon notation, which engineers read off device manuals: the first digit names the table and the rest is
 * one-based (40001 = first holding register, offset 0). Five-digit forms reach offset 9998, six-digit forms
 * (400001) the whole 65,536. The wire and the store use zero-based offsets.
 */

const prefixOf: Record<ModbusArea, number> = { coil: 0, discrete: 1, input: 3, holding: 4 };
const areaOfPrefix: Record<string, ModbusArea> = { '0': 'coil', '1': 'discrete', '3': 'input', '4': 'holding' };

export const areaNames: Record<ModbusArea, { label: string; short: string }> = {
  coil: { label: 'Coils (0x)', short: 'Coil' },
  discrete: { label: 'Discrete inputs (1x)', short: 'DI' },
  input: { label: 'Input registers (3x)', short: 'IR' },
  holding: { label: 'Holding registers (4x)', short: 'HR' },
};

/** 40001-style address of a zero-based offset: five digits while they suffice, six beyond. */
export const formatModicon = (area: ModbusArea, offset: number): string => {
  const p = prefixOf[area];
  return offset < 9999
    ? String(p * 10_000 + offset + 1).padStart(5, '0')
    : String(p * 100_000 + offset + 1).padStart(6, '0');
};

export type ParsedAddress = { ok: true; area: ModbusArea; address: number } | { ok: false; message: string };

/** Reads "40001" / "400001" / "3x0005" / "1:17"-free plain Modicon forms. */
export const parseModicon = (text: string): ParsedAddress => {
  const t = text.trim();
  const m = /^([0134])(?:x)?(\d{4,5})$/i.exec(t);
  if (!m) {
    return {
      ok: false,
      message: `"${text}" is not a Modicon address (like 40001, 30001, 00001, 10001 or 6-digit 400001)`,
    };
  }
  const area = areaOfPrefix[m[1]!]!;
  const n = Number(m[2]);
  if (n < 1) return { ok: false, message: `"${text}": Modicon addresses start at 1 (${formatModicon(area, 0)})` };
  if (n > 65_536) return { ok: false, message: `"${text}": past the last address of the table` };
  return { ok: true, area, address: n - 1 };
};
