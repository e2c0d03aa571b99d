// Replays a draft alarm rule over stored samples with a fresh engine, to show how often it would have raised.
import type { Sample } from '../domain/sample/sample.js';
import type { AlarmPreview } from '../domain/alarm/alarm-preview.js';
import type { AlarmEngineApi, AlarmEngineOptions, Transition } from '../domain/alarm/alarm-runtime.js';
import type { AlarmRuleConfig } from '../domain/alarm/rule-schema.js';

export interface RulePreviewOptions {
  /** A fresh engine on the given clock (never the live one: the draft must not raise real alarms). */
  engine: (o: AlarmEngineOptions) => AlarmEngineApi;
  /** Stored samples of one tag in [from, to]. */
  raw: (tagId: number, from: number, to: number) => Sample[];
}

/** Runs the draft over the `minutes` up to `to` of stored samples, on the samples' own clock. */
export const previewRule = (
  input: AlarmRuleConfig,
  minutes: number,
  to: number,
  o: RulePreviewOptions,
): AlarmPreview => {
  const from = to - minutes * 60_000;
  const notes: string[] = [];
  const tagIds = [...new Set(input.conditions.flatMap((c) => (c.kind === 'offline' ? [] : [c.tagId])))];
  if (input.conditions.some((c) => c.kind === 'offline')) {
    notes.push('Device offline conditions are not replayed: connection history is not stored.');
  }
  const samples = tagIds.flatMap((id) => o.raw(id, from, to)).sort((a, b) => a.ts - b.ts);
  let clock = from;
  const engine = o.engine({ now: () => clock });
  const { id: _id, ...body } = input;
  engine.setRules([{ ...body, id: 1, source: 'local', cloudId: null, createdAt: from, updatedAt: from }]);
  let raises = 0;
  let firstRaiseAt: number | null = null;
  let activeMs = 0;
  let activeAt: number | null = null;
  const track = (ts: readonly Transition[]): void => {
    for (const t of ts) {
      if (t.kind === 'raised') {
        raises += 1;
        firstRaiseAt ??= t.ts;
        activeAt = t.ts;
      } else if (t.kind === 'cleared' && activeAt !== null) {
        activeMs += t.ts - activeAt;
        activeAt = null;
      }
    }
  };
  let nextTick = from + 1000;
  for (const s of samples) {
    // Time-based parts (delays, stale) advance second by second between samples, as they would live.
    while (nextTick <= s.ts) {
      clock = nextTick;
      track(engine.tick());
      nextTick += 1000;
    }
    clock = s.ts;
    track(engine.onSamples([s]));
  }
  clock = to;
  track(engine.tick());
  if (activeAt !== null) activeMs += to - activeAt;
  if (samples.length === 0) notes.push('No stored samples of these tags in that time.');
  return {
    from,
    to,
    samples: samples.length,
    raises,
    activeSeconds: Math.round(activeMs / 1000),
    firstRaiseAt,
    notes,
  };
};
