import type { AlarmCondition } from './rule-schema.js';

export interface TagLabel {
  name: string;
  unit: string;
}

const num = (v: number): string => (Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000));
const withUnit = (v: number, unit: string): string => (unit ? `${num(v)} ${unit}` : num(v));

/** One condition in plain language, e.g. "T-101 level > 85 %" or "P-101 speed: no new value for 30 s". */
export const conditionText = (
  c: AlarmCondition,
  tag: (id: number) => TagLabel | null,
  device: (id: number) => string | null,
): string => {
  if (c.kind === 'offline') {
    const name = device(c.deviceId) ?? `device ${c.deviceId}`;
    return c.afterSeconds > 0 ? `${name} offline for ${num(c.afterSeconds)} s` : `${name} offline`;
  }
  const t = tag(c.tagId) ?? { name: `tag ${c.tagId}`, unit: '' };
  switch (c.kind) {
    case 'threshold':
      return `${t.name} ${c.operator} ${withUnit(c.threshold, t.unit)}`;
    case 'range':
      return `${t.name} ${c.operator === 'between' ? 'between' : 'outside'} ${num(c.low)} and ${withUnit(c.high, t.unit)}`;
    case 'rate':
      return `${t.name} changing ${c.operator === '>' ? 'faster than' : 'slower than'} ${withUnit(c.perMinute, t.unit ? `${t.unit}/min` : '/min')} (over ${num(c.windowSeconds)} s)`;
    case 'stale':
      return `${t.name}: no new value for ${num(c.afterSeconds)} s`;
    case 'quality':
      return `${t.name}: quality ${c.includeUncertain ? 'not good' : 'bad'}`;
    case 'text':
      return `${t.name} ${c.operator === 'equals' ? 'is' : 'changes to'} “${c.text}”`;
  }
};

/** A rule's conditions joined with its combinator. */
export const ruleText = (
  conditions: readonly AlarmCondition[],
  combinator: 'AND' | 'OR',
  tag: (id: number) => TagLabel | null,
  device: (id: number) => string | null,
): string => conditions.map((c) => conditionText(c, tag, device)).join(` ${combinator} `);
