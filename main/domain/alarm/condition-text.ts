import { formatSeconds } from '../format-seconds.js';
import type { AlarmCondition } from './rule-schema.js';

// A local alarm condition in plain words: the one wording for alarm messages (main) and rule lists (renderer).

export interface TagLabel {
  /** The tag as the engineer knows it (with its device when another device has a tag of that name). */
  name: string;
  unit: string;
}

/** A number as a limit is written: at most six decimals, no trailing zeros. */
export const plainNumber = (v: number): string => String(Math.round(v * 1e6) / 1e6);

const unitSuffix = (unit: string): string => (unit ? ` ${unit}` : '');

/** One condition, e.g. "T-101 level > 60 %", "P-101 flow outside 10 and 20 m³/h", "PLC-1 offline for 30 s". */
export const conditionText = (
  c: AlarmCondition,
  tag: (id: number) => TagLabel | null,
  device: (id: number) => string | null,
): string => {
  if (c.kind === 'offline') {
    const name = device(c.deviceId) ?? `device #${c.deviceId}`;
    const after = c.afterSeconds ?? 0;
    return `${name} offline${after > 0 ? ` for ${formatSeconds(after)}` : ''}`;
  }
  const t = tag(c.tagId) ?? { name: `tag #${c.tagId} (deleted?)`, unit: '' };
  switch (c.kind) {
    case 'threshold':
      return `${t.name} ${c.operator} ${plainNumber(c.threshold)}${unitSuffix(t.unit)}`;
    case 'range':
      return `${t.name} ${c.operator} ${plainNumber(c.low)} and ${plainNumber(c.high)}${unitSuffix(t.unit)}`;
    case 'rate':
      return (
        `${t.name} changing ${c.operator === '>' ? 'faster than' : 'slower than'} ` +
        `${plainNumber(c.perMinute)}${unitSuffix(t.unit)}/min (over ${formatSeconds(c.windowSeconds)})`
      );
    case 'stale':
      return `${t.name}: no new value for ${formatSeconds(c.afterSeconds)}`;
    case 'quality':
      return `${t.name} quality ${c.includeUncertain ? 'not good (bad or uncertain)' : 'bad'}`;
    case 'text':
      return `${t.name} ${c.operator === 'equals' ? 'is' : 'changes to'} “${c.text}”`;
  }
};

/** A rule's conditions joined with its combinator, e.g. "T-101 level > 60 % AND P-101 flow < 2 m³/h". */
export const ruleText = (
  conditions: readonly AlarmCondition[],
  combinator: 'AND' | 'OR',
  tag: (id: number) => TagLabel | null,
  device: (id: number) => string | null,
): string =>
  conditions.length === 0
    ? '(no conditions)'
    : conditions.map((c) => conditionText(c, tag, device)).join(` ${combinator} `);
