import { describe, expect, it } from 'vitest';
import { PlantModel, limits } from '../../main/collect/demo/plant-model.js';
import { signals } from '../../main/collect/demo/signals.js';

const DAY_S = 24 * 3600;

describe('PlantModel', () => {
  it('has at least 22 signals with unique keys, node ids and Modbus addresses', () => {
    expect(signals.length).toBeGreaterThanOrEqual(22);
    expect(new Set(signals.map((s) => s.key)).size).toBe(signals.length);
    expect(new Set(signals.map((s) => s.nodeId)).size).toBe(signals.length);
    const regs = signals.filter((s) => s.modbus.area === 'holding').map((s) => s.modbus.address);
    expect(regs).toEqual(regs.map((_, i) => i * 2));
    const coils = signals.filter((s) => s.modbus.area === 'coil').map((s) => s.modbus.address);
    expect(coils).toEqual(coils.map((_, i) => i));
    expect(signals.find((s) => s.key === 'P101.Flow')?.nodeId).toBe('ns=1;s=PumpSkid.P101.Flow');
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = new PlantModel({ seed: 42 });
    const b = new PlantModel({ seed: 42 });
    const c = new PlantModel({ seed: 43 });
    for (let i = 0; i < 500; i++) {
      a.step(1000);
      b.step(1000);
      c.step(1000);
    }
    expect(a.values()).toEqual(b.values());
    expect(a.time).toBe(b.time);
    expect(a.values()).not.toEqual(c.values());
  });

  it('speed scales simulated time', () => {
    const m = new PlantModel({ seed: 1, startTime: 0, speed: 60 });
    m.step(1000);
    expect(m.time).toBe(60_000);
  });

  it('over a simulated day stays in physical bounds and shows every kind of excursion and a trip/restart', () => {
    const m = new PlantModel({ seed: 7, speed: 1 });
    const max = new Map<string, number>();
    let outOfBounds = 0;
    let trips = 0;
    let restarts = 0;
    let standbyStarts = 0;
    let backflushes = 0;
    let prev = { running: m.value('P101.Running'), tripped: 0, standby: 0, backflush: 0 };
    for (let t = 0; t < DAY_S; t++) {
      m.step(1000);
      for (const s of signals) {
        const v = m.value(s.key);
        if (!(v >= s.bounds.min && v <= s.bounds.max) || !Number.isFinite(v)) outOfBounds++;
        max.set(s.key, Math.max(max.get(s.key) ?? -Infinity, v));
      }
      const cur = {
        running: m.value('P101.Running'),
        tripped: m.value('P101.Tripped'),
        standby: m.value('P102.Running'),
        backflush: m.value('F101.Backflush'),
      };
      if (cur.tripped && !prev.tripped) trips++;
      if (cur.running && !prev.running) restarts++;
      if (cur.standby && !prev.standby) standbyStarts++;
      if (cur.backflush && !prev.backflush) backflushes++;
      prev = cur;
    }
    const normalMax = (key: string): number => signals.find((s) => s.key === key)!.normal.max;
    expect(outOfBounds).toBe(0);
    expect(max.get('P101.Vibration')).toBeGreaterThan(normalMax('P101.Vibration'));
    expect(max.get('T101.Level')).toBeGreaterThan(normalMax('T101.Level'));
    expect(max.get('P101.WindingTemp')).toBeGreaterThan(normalMax('P101.WindingTemp'));
    expect(max.get('F101.DiffPressure')).toBeGreaterThan(normalMax('F101.DiffPressure'));
    expect(trips).toBeGreaterThanOrEqual(1);
    expect(restarts).toBeGreaterThanOrEqual(1);
    expect(standbyStarts).toBeGreaterThanOrEqual(1);
    expect(backflushes).toBeGreaterThanOrEqual(1);
    expect(max.get('P101.Vibration')).toBeLessThan(30);
    expect(limits.vibrationTrip).toBeGreaterThan(normalMax('P101.Vibration'));
  });
});
