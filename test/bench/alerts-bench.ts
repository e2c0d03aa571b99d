import { AlarmEngine } from '../../main/alerts/engine/alarm-engine.js';
import type { AlarmCondition, AlarmRule } from '../../main/domain/alarm/rule-schema.js';
import { StatusCodes } from '../../main/domain/sample/status-codes.js';
import { type Sample } from '../../main/domain/sample/sample.js';
import { result, type BenchResult } from './result.js';
import { seededRandom } from '../../main/domain/prng.js';

const RULES = 10_000;
const TAGS = 2_000;
const OFFERED = 100_000; // samples per second
const SECONDS = 4;
const BATCH = 1_000;
const T0 = 1_700_000_000_000;

const makeRules = (rnd: () => number): AlarmRule[] => {
  const tag = () => 1 + Math.floor(rnd() * TAGS);
  const rules: AlarmRule[] = [];
  for (let id = 1; id <= RULES; id++) {
    const kind = id % 10;
    let conditions: AlarmCondition[];
    if (kind <= 3) {
      const operator = kind % 2 === 0 ? '>' : '<';
      conditions = [
        { kind: 'threshold', tagId: tag(), operator, threshold: operator === '>' ? 60 + rnd() * 30 : 10 + rnd() * 30 },
      ];
    } else if (kind <= 5) {
      const low = 20 + rnd() * 20;
      const operator = kind === 4 ? 'between' : 'outside';
      conditions = [{ kind: 'range', tagId: tag(), operator, low, high: low + 20 + rnd() * 20 }];
    } else if (kind === 6) {
      conditions = [{ kind: 'rate', tagId: tag(), operator: '>', perMinute: 200 + rnd() * 200, windowSeconds: 5 }];
    } else if (kind === 7) {
      conditions = [{ kind: 'quality', tagId: tag(), includeUncertain: rnd() < 0.5 }];
    } else {
      conditions = [
        { kind: 'threshold', tagId: tag(), operator: '>', threshold: 50 + rnd() * 20 },
        { kind: 'threshold', tagId: tag(), operator: '<', threshold: 30 + rnd() * 20 },
      ];
    }
    rules.push({
      id,
      name: `rule ${id}`,
      description: '',
      severity: 'warning',
      enabled: true,
      combinator: kind === 9 ? 'OR' : 'AND',
      conditions,
      deadband: id % 3 === 0 ? 0 : id % 3 === 1 ? 1 : 2,
      deadbandMode: id % 3 === 2 ? 'percent' : 'absolute',
      onDelaySeconds: id % 7 === 0 ? 1 : 0,
      offDelaySeconds: id % 11 === 0 ? 2 : 0,
      ackMode: id % 2 === 0 ? 'auto' : 'manual',
      source: 'local',
      cloudId: null,
      createdAt: T0,
      updatedAt: T0,
    });
  }
  return rules;
};

/** SECONDS of data at OFFERED samples/s in batches of BATCH; each tag random-walks in [0, 100]. */
const makeBatches = (rnd: () => number): Sample[][] => {
  const values = Float64Array.from({ length: TAGS }, () => rnd() * 100);
  const batches: Sample[][] = [];
  const total = OFFERED * SECONDS;
  for (let n = 0; n < total; n += BATCH) {
    const batch: Sample[] = [];
    for (let i = 0; i < BATCH; i++) {
      const k = (n + i) % TAGS;
      const v = Math.min(100, Math.max(0, values[k]! + (rnd() - 0.5) * 6));
      values[k] = v;
      const r = rnd();
      const quality = r < 0.005 ? StatusCodes.BadTimeout : r < 0.01 ? StatusCodes.UncertainLastUsableValue : 0;
      batch.push({ tagId: k + 1, ts: T0 + Math.floor(((n + i) * 1000) / OFFERED), value: v, quality });
    }
    batches.push(batch);
  }
  return batches;
};

/** Runs the whole data set through a fresh engine on a clock that follows the data (tick once a second). */
const run = (rules: AlarmRule[], batches: Sample[][]) => {
  let now = T0;
  const engine = new AlarmEngine({ now: () => now });
  engine.setRules(rules);
  const perSecond = OFFERED / BATCH;
  let raised = 0;
  let cleared = 0;
  const count = (ts: { kind: string }[]) => {
    for (const t of ts) {
      if (t.kind === 'raised') raised++;
      else if (t.kind === 'cleared') cleared++;
    }
  };
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let b = 0; b < batches.length; b++) {
    const batch = batches[b]!;
    now = batch[0]!.ts;
    count(engine.onSamples(batch));
    if ((b + 1) % perSecond === 0) count(engine.tick());
  }
  const wallS = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { wallS, cpuS: (used.user + used.system) / 1e6, raised, cleared };
};

/** The floor: read every sample's value and compare it to one threshold, repeated to be measurable. */
const bareLoop = (batches: Sample[][]) => {
  const repeats = 20;
  let hits = 0;
  const cpu = process.cpuUsage();
  for (let r = 0; r < repeats; r++) {
    for (const batch of batches) {
      for (let i = 0; i < batch.length; i++) if (batch[i]!.value! > 50) hits++;
    }
  }
  const used = process.cpuUsage(cpu);
  return { cpuS: (used.user + used.system) / 1e6 / repeats, hits };
};

/**
 * alerts.eval: samples/s the engine processes for 10,000 rules over 2,000 tags (max throughput; baseline the
 * offered 100,000/s, so ratio ≥ 1 means it keeps up). alerts.eval.cpu: CPU per 100,000 samples against the bare
 * read-and-compare loop, in microseconds (CPU seconds × 1e6, so the integer rounding of result() keeps digits).
 */
export const benchAlertsEval = (): Promise<BenchResult[]> => {
  const rnd = seededRandom(42);
  const rules = makeRules(rnd);
  const batches = makeBatches(rnd);
  const samples = OFFERED * SECONDS;
  run(rules, batches); // warm-up
  const best = [run(rules, batches), run(rules, batches), run(rules, batches)].sort((a, b) => a.wallS - b.wallS)[0]!;
  bareLoop(batches);
  const floor = bareLoop(batches);
  if (best.raised === 0 || best.cleared === 0) throw new Error('alerts bench: the data raised or cleared nothing');
  process.stderr.write(
    `alerts.eval: ${samples} samples, ${best.raised} raised, ${best.cleared} cleared, ${best.wallS.toFixed(3)} s wall\n`,
  );
  return Promise.resolve([
    result('alerts.eval', samples / best.wallS, 'samples/s', OFFERED),
    result(
      'alerts.eval.cpu',
      (best.cpuS / samples) * 100_000 * 1e6,
      'µs CPU per 100k samples',
      (floor.cpuS / samples) * 100_000 * 1e6,
    ),
  ]);
};
