import { isBitArea, registerCount, type ModbusArea, type ModbusDataType } from '../../domain/device/modbus-schema.js';
import { readFunctionOf } from './addresses.js';
import type { ReadFunction } from './pdu.js';

/**
 * Read planning: PLCs answer one request per scan at best, so tags of one unit, table and poll rate are
 * merged into as few reads as the limits allow (125 registers / 2000 bits, or the device's lower limit),
 * bridging gaps up to a set size. Greedy from the lowest address is optimal for this: each read starts at the
 * first tag not yet covered and takes every tag that still fits. A bridged gap or a tag can hit an address the
 * device does not have; the collector then splits that block (splitBlock) until the offending tag stands alone.
 */

export interface PlanItem<T> {
  tag: T;
  area: ModbusArea;
  address: number;
  dataType: ModbusDataType;
  /** Registers of a string. */
  length?: number;
}

export interface ReadBlock<T> {
  area: ModbusArea;
  fc: ReadFunction;
  address: number;
  quantity: number;
  /** Tags in the block with their offset from `address` (registers or bits), by address. */
  items: { item: PlanItem<T>; offset: number }[];
}

export interface PlanOptions {
  maxRegisters?: number;
  maxBits?: number;
  /** Largest unrequested stretch bridged inside one read (registers, bits). */
  maxRegisterGap?: number;
  maxBitGap?: number;
}

/** Registers (or bits) an item occupies. */
export const itemWidth = (i: Pick<PlanItem<unknown>, 'area' | 'dataType' | 'length'>): number =>
  isBitArea(i.area) ? 1 : registerCount(i.dataType, i.length ?? 1);

const areas: ModbusArea[] = ['coil', 'discrete', 'input', 'holding'];

export const planReads = <T>(items: PlanItem<T>[], opts: PlanOptions = {}): ReadBlock<T>[] => {
  const maxRegisters = opts.maxRegisters ?? 125;
  const maxBits = opts.maxBits ?? 2000;
  const regGap = opts.maxRegisterGap ?? 10;
  const bitGap = opts.maxBitGap ?? 64;
  const blocks: ReadBlock<T>[] = [];
  for (const area of areas) {
    const bits = isBitArea(area);
    const max = bits ? maxBits : maxRegisters;
    const gap = bits ? bitGap : regGap;
    const sorted = items.filter((i) => i.area === area).sort((a, b) => a.address - b.address);
    let cur: ReadBlock<T> | null = null;
    for (const item of sorted) {
      const end = Math.min(item.address + itemWidth(item), 0x10000);
      if (cur) {
        const curEnd = cur.address + cur.quantity;
        const newQuantity = Math.max(curEnd, end) - cur.address;
        if (item.address - curEnd <= gap && newQuantity <= max) {
          cur.quantity = newQuantity;
          cur.items.push({ item, offset: item.address - cur.address });
          continue;
        }
      }
      // A value wider than one read (a long string over a device's lower limit) still gets its own block;
      // the device will refuse it and the tag shows why.
      cur = {
        area,
        fc: readFunctionOf(area),
        address: item.address,
        quantity: Math.max(1, end - item.address),
        items: [{ item, offset: 0 }],
      };
      blocks.push(cur);
    }
  }
  return blocks;
};

/** A block rebuilt around a subset of its items (tight: from the first item to the last one's end). */
const blockOf = <T>(area: ModbusArea, fc: ReadFunction, items: PlanItem<T>[]): ReadBlock<T> => {
  const address = items[0]!.address;
  const end = Math.max(...items.map((i) => Math.min(i.address + itemWidth(i), 0x10000)));
  return {
    area,
    fc,
    address,
    quantity: Math.max(1, end - address),
    items: items.map((item) => ({ item, offset: item.address - address })),
  };
};

/**
 * Halves a block the device refused, at a tag boundary; both halves are tight around their tags, so a bridged
 * gap disappears at the split. Called again on a refused half, it isolates the offending tag in log2(n) steps.
 */
export const splitBlock = <T>(block: ReadBlock<T>): [ReadBlock<T>, ReadBlock<T>] | null => {
  if (block.items.length < 2) return null;
  const items = block.items.map((x) => x.item);
  const mid = Math.ceil(items.length / 2);
  return [blockOf(block.area, block.fc, items.slice(0, mid)), blockOf(block.area, block.fc, items.slice(mid))];
};
