import {
  isBitArea,
  modbusDataTypes,
  modbusWordOrders,
  orderLabel,
  type ModbusDataType,
  type WordOrder,
} from '../../../main/domain/device/device-schema';
import type { ModbusTagDraft } from './device-draft';

/**
 * What each register-map column means for a row, so the row shows only the inputs that apply.
 * Cheap, pure functions: they run per row on every render of a map with hundreds of rows.
 */

export type OrderKind = 'none' | 'bytes' | 'words';

/** bool: no order; 16-bit and strings: only the byte swap; 32/64-bit: the four orders. */
export function orderKind(t: ModbusDataType): OrderKind {
  if (t === 'bool') return 'none';
  if (t === 'int16' || t === 'uint16' || t === 'string') return 'bytes';
  return 'words';
}

export interface OrderOption {
  value: WordOrder;
  label: string;
}

const byteOptions: OrderOption[] = [
  { value: 'ABCD', label: 'AB (as sent)' },
  { value: 'BADC', label: 'BA (bytes swapped)' },
];
const wordOptions = new Map<ModbusDataType, OrderOption[]>(
  modbusDataTypes.map((t) => [t, modbusWordOrders.map((o) => ({ value: o, label: orderLabel(t, o) }))]),
);

export function orderOptions(t: ModbusDataType): OrderOption[] {
  const k = orderKind(t);
  if (k === 'none') return [];
  if (k === 'bytes') return byteOptions;
  return wordOptions.get(t) ?? [];
}

/** For 16-bit values and strings only the byte swap matters: CDAB reads as ABCD, DCBA as BADC. */
export function shownOrder(t: ModbusDataType, o: WordOrder): WordOrder {
  if (orderKind(t) !== 'bytes') return o;
  return o === 'BADC' || o === 'DCBA' ? 'BADC' : 'ABCD';
}

export const dataTypesFor = (bits: boolean): readonly ModbusDataType[] => (bits ? ['bool'] : modbusDataTypes);

/** Keeps a row consistent after its table or type changed (visible in the row; nothing hidden stays set). */
export function settleRow(t: ModbusTagDraft): void {
  const bits = isBitArea(t.area);
  if (bits) t.dataType = 'bool';
  if (bits || t.dataType !== 'bool') t.bit = null;
  else if (t.bit === null) t.bit = 0;
  if (t.dataType === 'string') {
    t.scale = 1;
    t.offset = 0;
    if (t.length === null || t.length < 1) t.length = 1;
  } else {
    t.length = 1;
  }
  t.wordOrder = shownOrder(t.dataType, t.wordOrder);
}

/** Characters a string tag holds (two per register). */
export const stringChars = (length: number | null): number | null =>
  length === null || !Number.isFinite(length) ? null : length * 2;
