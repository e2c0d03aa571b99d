import { readFunctionOf, type ModbusArea } from './addresses.js';
import { registerCount, type ModbusDataType } from './values.js';
import type { ReadFunction } from './pdu.js';

/**
 * Read planning: PLCs answer one request per scan at best, so tags in the same area are merged
 * into as few reads as the protocol allows (125 registers / 2000 bits), bridging small gaps. A
 * bridged gap can hit unmapped addresses; the collector then reads that block's tags one by one (singleReads).
 */

export interface PlanItem<T> {
  tag: T;
  area: ModbusArea;
  address: number;
  dataType: ModbusDataType;
}

export interface ReadBlock<T> {
  area: ModbusArea;
  fc: ReadFunction;
  address: number;
  quantity: number;
  /** Tags in the block with their offset from `address` (registers or bits). */
  items: { item: PlanItem<T>; offset: number }[];
}

export interface PlanOptions {
  maxRegisters?: number;
  maxBits?: number;
  /** Largest unrequested stretch bridged inside one read (registers, bits). */
  maxRegisterGap?: number;
  maxBitGap?: number;
}

const isBitArea = (a: ModbusArea): boolean => a === 'coil' || a === 'discrete';
const width = (i: PlanItem<unknown>): number => (isBitArea(i.area) ? 1 : Math.max(1, registerCount(i.dataType)));

export const planReads = <T>(items: PlanItem<T>[], opts: PlanOptions = {}): ReadBlock<T>[] => {
  const maxRegisters = opts.maxRegisters ?? 125;
  const maxBits = opts.maxBits ?? 2000;
  const regGap = opts.maxRegisterGap ?? 10;
  const bitGap = opts.maxBitGap ?? 64;
  const blocks: ReadBlock<T>[] = [];
  const areas: ModbusArea[] = ['coil', 'discrete', 'input', 'holding'];
  for (const area of areas) {
    const bits = isBitArea(area);
    const max = bits ? maxBits : maxRegisters;
    const gap = bits ? bitGap : regGap;
    const sorted = items.filter((i) => i.area === area).sort((a, b) => a.address - b.address);
    let cur: ReadBlock<T> | null = null;
    for (const item of sorted) {
      const w = width(item);
      // Items running past 65535 cannot be read at all; keep them as their own (failing) block.
      const end = Math.min(item.address + w, 0x10000);
      if (cur) {
        const curEnd = cur.address + cur.quantity;
        const newQuantity = Math.max(curEnd, end) - cur.address;
        if (item.address - curEnd <= gap && newQuantity <= max) {
          cur.quantity = newQuantity;
          cur.items.push({ item, offset: item.address - cur.address });
          continue;
        }
      }
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

/** One block per tag: used when a merged read is refused (a bridged gap hit an unmapped address). */
export const singleReads = <T>(block: ReadBlock<T>): ReadBlock<T>[] =>
  block.items.map(({ item }) => ({
    area: block.area,
    fc: block.fc,
    address: item.address,
    quantity: width(item),
    items: [{ item, offset: 0 }],
  }));
