import { ModbusTag, isBitArea, type ModbusArea } from '../../main/domain/device/modbus-schema.js';
import { itemWidth, planReads, type PlanItem } from '../../main/collect/modbus/plan.js';
import { syntheticMap } from './modbus-map.js';
import { result, type BenchResult } from './result.js';

const DEVICES = 10;
const TAGS_PER_DEVICE = 10_000;
const MAX_REGS = 125;
const MAX_BITS = 2000;
const REG_GAP = 10;
const BIT_GAP = 64;

/**
 * The fewest reads that cover a group under the same limits (span <= max, no unrequested stretch > gap
 * inside a read), by dynamic programming over the sorted tags: an independent check on the greedy planner.
 * dp[j] = fewest reads for the first j tags; a read may take tags i..j-1 iff they fit, and the set of valid i
 * for a given j is a suffix, so dp[j] = dp[first valid i] + 1 (dp never decreases).
 */
const minimumReads = (items: PlanItem<unknown>[], area: ModbusArea): number => {
  const sorted = [...items].sort((a, b) => a.address - b.address);
  const max = isBitArea(area) ? MAX_BITS : MAX_REGS;
  const gap = isBitArea(area) ? BIT_GAP : REG_GAP;
  const dp = new Array<number>(sorted.length + 1).fill(0);
  let lo = 0; // first tag a read ending at tag j-1 may start from
  for (let j = 1; j <= sorted.length; j++) {
    const last = sorted[j - 1]!;
    const end = last.address + itemWidth(last);
    if (j >= 2) {
      const prev = sorted[j - 2]!;
      if (last.address - (prev.address + itemWidth(prev)) > gap) lo = j - 1;
    }
    while (end - sorted[lo]!.address > max) lo++;
    dp[j] = dp[lo]! + 1;
  }
  return dp[sorted.length]!;
};

/** modbus.plan: reads per cycle for a 100,000-tag map against the exact minimum for that map. */
export const benchModbusPlan = (): BenchResult[] => {
  let planned = 0;
  let minimum = 0;
  let planMs = 0;
  for (let d = 0; d < DEVICES; d++) {
    const tags = syntheticMap(TAGS_PER_DEVICE, 17 + d, [250, 1000, 5000]).map((t) => ModbusTag.parse(t));
    const groups = new Map<string, PlanItem<string>[]>();
    for (const t of tags) {
      const key = `${t.pollIntervalMs}`;
      const item = { tag: t.name, area: t.area, address: t.address, dataType: t.dataType, length: t.length };
      const list = groups.get(key) ?? [];
      list.push(item);
      groups.set(key, list);
    }
    for (const items of groups.values()) {
      const started = performance.now();
      planned += planReads(items, {
        maxRegisters: MAX_REGS,
        maxBits: MAX_BITS,
        maxRegisterGap: REG_GAP,
        maxBitGap: BIT_GAP,
      }).length;
      planMs += performance.now() - started;
      for (const area of ['coil', 'discrete', 'input', 'holding'] as const) {
        const inArea = items.filter((i) => i.area === area);
        if (inArea.length > 0) minimum += minimumReads(inArea, area);
      }
    }
  }
  // Planning time against a linear pass over the same tags is not a meaningful peer; report it in the note.
  process.stderr.write(`modbus.plan: ${DEVICES * TAGS_PER_DEVICE} tags planned in ${planMs.toFixed(1)} ms\n`);
  return [result('modbus.plan', planned, 'requests/cycle', minimum)];
};
