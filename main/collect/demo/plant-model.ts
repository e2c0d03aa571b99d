import { Prng } from '../../domain/prng.js';
import { signals, type SignalKey } from './signals.js';

/**
 * Deterministic simulation of a pump skid: feed tank T-101 -> strainer F-101 -> duty pump P-101
 * (standby P-102) -> cooler HX-101 -> control valve FV-101. Physics is deliberately simple
 * (first-order lags, pump/system curve intersection) but the couplings are real, so trends look
 * like a plant: a flow surge raises the level, the level controller speeds the pump up, current,
 * power and winding temperature follow. Random faults (bearing vibration spikes, cooling fan
 * failure, inflow surges, filter clogging) produce a few alarmable excursions per hour, and the
 * pump trips on high vibration / winding temperature, the standby takes over, and P-101 restarts
 * once the cause has cleared.
 */

export interface PlantModelOptions {
  seed?: number;
  /** Model epoch at t=0, ms. Default 2026-01-01T00:00Z so a seed fully defines the run. */
  startTime?: number;
  /** Simulated ms per wall ms passed to step(); > 1 runs the plant fast. */
  speed?: number;
}

/** Thresholds the interlocks use; exported so tests and alarm presets share them. */
export const limits = {
  vibrationTrip: 11,
  vibrationTripDelayS: 3,
  windingTrip: 130,
  restartWindingBelow: 70,
  restartDelayS: 300,
  backflushAtDp: 1.05,
  levelSetpoint: 50,
} as const;

const TANK_M3 = 20;
const SUBSTEP_S = 1;
const lag = (x: number, target: number, tauS: number, dtS: number): number =>
  x + (target - x) * (1 - Math.exp(-dtS / tauS));
const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

export class PlantModel {
  speed: number;
  /** Tank level the PI loop holds (%); the demo Modbus server lets a user write it. */
  levelSetpoint: number = limits.levelSetpoint;
  private readonly rng: Prng;
  private readonly t0: number;
  private simMs = 0;

  // --- process state (SI-ish units as displayed) ---
  private ambientOu = 0;
  private inflowOu = 0;
  private tinOu = 0;
  private inflow = 42;
  private surge = { until: 0, target: 0 };
  private level = 50;
  private levelI = 0;
  private speedCmd = 75;
  private pumpSpeed = 75;
  private valveSp = 85;
  private valve = 85;
  private flow = 40;
  private clog = 0.1;
  private clogRate = 1;
  private backflushUntil = 0;
  private tankTemp = 42;
  private hxIn = 42;
  private hxOut = 30;
  private cwCmd = 25;
  private cwFlow = 25;
  private ph = 7.3;
  private cond = 550;
  private winding = 50;
  private fanFault = { until: 0, extra: 0 };
  private vibSpike = { until: 0, amp: 0, level: 0 };
  private vibOverS = 0;
  private vib = 2;
  private running = true;
  private tripped = false;
  private trippedAt = 0;
  private standby = false;
  private standbyDelayS = 0;
  private power = 10;
  private energy: number;
  private suction = 0.5;
  private discharge = 4.5;
  private current = 18;
  private filterDp = 0.2;
  private ambient = 21;

  private readonly out = new Map<string, number>();

  constructor(opts: PlantModelOptions = {}) {
    this.rng = new Prng(opts.seed ?? 1);
    this.t0 = opts.startTime ?? Date.UTC(2026, 0, 1);
    this.speed = opts.speed ?? 1;
    this.energy = 18_000 + this.rng.range(0, 5000);
    this.clog = this.rng.range(0, 0.5);
    this.settle();
  }

  /** Model time, epoch ms (source timestamp of the current values). */
  get time(): number {
    return this.t0 + this.simMs;
  }

  /** Advance by dtMs wall-clock ms (times `speed` simulated ms). */
  step(dtMs: number): void {
    let remaining = (dtMs * this.speed) / 1000;
    while (remaining > 1e-9) {
      const dt = Math.min(SUBSTEP_S, remaining);
      this.integrate(dt);
      this.simMs += dt * 1000;
      remaining -= dt;
    }
    this.measure();
  }

  /** Current value of one signal; booleans are 0/1. */
  value(key: SignalKey): number {
    const v = this.out.get(key);
    if (v === undefined) throw new RangeError(`unknown demo signal ${key}`);
    return v;
  }

  /** All signal values in `signals` order. */
  values(): number[] {
    return signals.map((s) => this.out.get(s.key) ?? 0);
  }

  private settle(): void {
    // Run a few simulated minutes so the first values are not an obvious start-up transient.
    for (let i = 0; i < 600; i++) this.integrate(SUBSTEP_S);
    this.measure();
  }

  private hourOfDay(): number {
    return (((this.time / 3_600_000) % 24) + 24) % 24;
  }

  private ou(x: number, sigma: number, tauS: number, dt: number): number {
    // Ornstein-Uhlenbeck: mean-reverting random walk with stationary std `sigma`.
    const a = Math.exp(-dt / tauS);
    return x * a + sigma * Math.sqrt(1 - a * a) * this.rng.gauss();
  }

  private integrate(dt: number): void {
    const r = this.rng;
    const now = this.simMs / 1000;
    const h = this.hourOfDay();
    const day = Math.sin((2 * Math.PI * (h - 9)) / 24);

    // --- environment ---
    this.ambientOu = this.ou(this.ambientOu, 1.2, 1800, dt);
    const ambient = 21 + 6 * day + this.ambientOu;

    // --- inflow with daily pattern and occasional surges (high tank level excursions) ---
    this.inflowOu = this.ou(this.inflowOu, 4, 600, dt);
    if (now >= this.surge.until && r.chance(0.6, dt)) {
      this.surge = { until: now + r.range(480, 1200), target: r.range(100, 130) };
    }
    const inflowTarget = now < this.surge.until ? this.surge.target : 42 + 10 * day + this.inflowOu;
    this.inflow = clamp(lag(this.inflow, inflowTarget, 60, dt), 0, 150);

    // --- faults ---
    if (now >= this.fanFault.until && r.chance(0.35, dt)) {
      this.fanFault = { until: now + r.range(1500, 3600), extra: r.range(65, 95) };
    }
    if (now >= this.vibSpike.until && this.running && r.chance(1.0, dt)) {
      this.vibSpike = { until: now + r.range(30, 180), amp: r.range(4, 11.5), level: 0 };
    }

    // --- filter: clogs with throughput, backflushes at high dP ---
    const backflushing = now < this.backflushUntil;
    if (backflushing) this.clog = lag(this.clog, 0, 15, dt);
    else this.clog += 9e-5 * this.clogRate * (this.flow / 45) * dt;
    const filterDp = (0.12 + this.clog) * Math.pow(this.flow / 45, 1.5);
    if (!backflushing && (filterDp > limits.backflushAtDp || this.clog > 1.3)) {
      this.backflushUntil = now + r.range(60, 120);
      this.clogRate = r.range(0.6, 1.6);
    }

    // --- level control: PI on pump speed ---
    const err = this.level - this.levelSetpoint;
    this.levelI = clamp(this.levelI + 0.004 * err * dt, -30, 30);
    this.speedCmd = clamp(78 + 2.5 * err + this.levelI, 66, 100);

    // --- interlocks: trip, standby start, restart ---
    if (this.running) {
      this.vibOverS = this.vib > limits.vibrationTrip ? this.vibOverS + dt : 0;
      if (this.vibOverS >= limits.vibrationTripDelayS || this.winding > limits.windingTrip) {
        this.running = false;
        this.tripped = true;
        this.trippedAt = now;
        this.fanFault.until = 0; // the trip brings a technician: causes are fixed before restart
        this.vibSpike.until = 0;
        this.standbyDelayS = 5;
      }
    } else if (
      this.tripped &&
      now - this.trippedAt >= limits.restartDelayS &&
      this.winding < limits.restartWindingBelow &&
      this.vib < 3
    ) {
      this.running = true;
      this.tripped = false;
    }
    if (this.tripped) {
      this.standbyDelayS -= dt;
      // Standby runs on/off level control while the duty pump is out.
      if (this.standbyDelayS <= 0 && this.level > 40) this.standby = true;
      if (this.level < 25) this.standby = false;
    } else {
      this.standby = false;
    }

    // --- hydraulics: pump curve H = 8 s^2 - a q^2 meets system curve H = 3.5 + b q^2 / valve^2 ---
    this.valveSp = clamp(this.valveSp + 0.02 * r.gauss() * Math.sqrt(dt) + 0.0005 * (85 - this.valveSp) * dt, 60, 100);
    this.valve = lag(this.valve, this.valveSp, 20, dt);
    this.pumpSpeed = this.running ? lag(this.pumpSpeed, this.speedCmd, 4, dt) : lag(this.pumpSpeed, 0, 6, dt);
    const vc = Math.max(0.05, Math.sqrt(this.valve / 100));
    const flowFor = (s: number): number => {
      const head = 8 * s * s - 3.5;
      return head > 0 ? Math.sqrt(head / (0.0002 + 0.0004 / (vc * vc))) : 0;
    };
    const filterFactor = 1 / (1 + 0.15 * this.clog);
    let flowTarget = (flowFor(this.pumpSpeed / 100) + (this.standby ? flowFor(0.9) : 0)) * filterFactor;
    if (this.level <= 0.5) flowTarget = Math.min(flowTarget, this.inflow);
    this.flow = clamp(lag(this.flow, flowTarget, 3, dt), 0, 120);

    this.level = clamp(this.level + ((this.inflow - this.flow) / 3600) * dt * (100 / TANK_M3), 0, 100);

    this.suction = clamp(0.3 + 0.004 * this.level - 0.00004 * this.flow * this.flow * (1 + this.clog), 0, 4);
    const pumping = this.running || this.standby;
    const dischargeTarget = pumping ? this.suction + 3.5 + (0.0004 * this.flow * this.flow) / (vc * vc) : this.suction;
    this.discharge = clamp(lag(this.discharge, dischargeTarget, 2, dt), 0, 12);

    // --- drive: hydraulic power / efficiency + losses, current at 400 V, pf 0.85 ---
    // With both pumps on, P-101 carries its share of the flow.
    const ownFlow = flowFor(this.pumpSpeed / 100);
    const p101Flow = this.standby ? (this.flow * ownFlow) / (ownFlow + flowFor(0.9) + 1e-9) : this.flow;
    const hydraulicKw = this.running ? (p101Flow / 3600) * (this.discharge - this.suction) * 100 : 0;
    const powerTarget = this.running ? hydraulicKw / 0.65 + 2 * (this.pumpSpeed / 100) : 0;
    this.power = clamp(lag(this.power, powerTarget, 2, dt), 0, 120);
    this.energy += (this.power * dt) / 3600;
    this.current = clamp((this.power * 1000) / (Math.sqrt(3) * 400 * 0.85), 0, 200);

    // --- winding temperature: I^2 heating, fan fault adds heat while running ---
    const rise = this.running
      ? 20 + 55 * (this.current / 40) ** 2 + (now < this.fanFault.until ? this.fanFault.extra : 0)
      : 0;
    this.winding = clamp(lag(this.winding, ambient + rise, 900, dt), -20, 180);

    // --- vibration: speed dependent baseline plus bearing spikes ---
    const spikeTarget = now < this.vibSpike.until ? this.vibSpike.amp : 0;
    this.vibSpike.level = lag(this.vibSpike.level, spikeTarget, 5, dt);
    const s = this.pumpSpeed / 100;
    this.vib = clamp(0.05 + (this.running ? 0.8 + 2.2 * s * s : 0) + this.vibSpike.level, 0, 30);

    // --- temperatures: tank mixing, cooler with cooling water flow control ---
    this.tinOu = this.ou(this.tinOu, 1.5, 1800, dt);
    const tin = 42 + 4 * day + this.tinOu;
    const tankM3 = Math.max(1, (this.level / 100) * TANK_M3);
    this.tankTemp = lag(this.tankTemp, tin, Math.max(30, (tankM3 * 3600) / Math.max(this.inflow, 1)), dt);
    this.hxIn = lag(this.hxIn, this.tankTemp + (this.running ? 0.2 : 0), 10, dt);
    const cwTemp = 16 + 0.3 * (ambient - 20);
    this.cwCmd = clamp(this.cwCmd + 0.05 * (this.hxOut - 30) * dt, 5, 60);
    this.cwFlow = lag(this.cwFlow, this.cwCmd, 10, dt);
    if (this.flow > 1) {
      const eff = (0.85 * this.cwFlow) / (this.cwFlow + 0.5 * this.flow);
      this.hxOut = lag(this.hxOut, this.hxIn - eff * (this.hxIn - cwTemp), 20, dt);
    } else {
      this.hxOut = lag(this.hxOut, (ambient + cwTemp) / 2, 300, dt);
    }

    // --- water quality ---
    this.ph = 7.3 + this.ou(this.ph - 7.3, 0.15, 1800, dt);
    this.cond = 550 + this.ou(this.cond - 550, 60, 3600, dt);
    this.filterDp = filterDp;
    this.ambient = ambient;
  }

  private measure(): void {
    const r = this.rng;
    const n = (x: number, sigma: number): number => x + sigma * r.gauss();
    const b = (x: boolean): number => (x ? 1 : 0);
    const raw: Record<SignalKey, number> = {
      'P101.Running': b(this.running),
      'P101.Speed': this.pumpSpeed,
      'P101.MotorCurrent': this.current > 0.1 ? n(this.current, 0.2) : 0,
      'P101.WindingTemp': n(this.winding, 0.1),
      'P101.Vibration': n(this.vib, 0.08),
      'P101.SuctionPressure': n(this.suction, 0.005),
      'P101.DischargePressure': n(this.discharge, 0.02),
      'P101.Flow': this.flow > 0.2 ? n(this.flow, 0.3) : 0,
      'P101.Power': this.power,
      'P101.Energy': this.energy,
      'P101.Tripped': b(this.tripped),
      'P102.Running': b(this.standby),
      'FV101.Position': this.valve,
      'T101.Level': n(this.level, 0.1),
      'T101.Inflow': n(this.inflow, 0.4),
      'T101.Temp': n(this.tankTemp, 0.05),
      'HX101.InletTemp': n(this.hxIn, 0.05),
      'HX101.OutletTemp': n(this.hxOut, 0.05),
      'HX101.CoolingWaterFlow': n(this.cwFlow, 0.2),
      'F101.DiffPressure': n(this.filterDp, 0.005),
      'F101.Backflush': b(this.simMs / 1000 < this.backflushUntil),
      'Water.pH': n(this.ph, 0.01),
      'Water.Conductivity': n(this.cond, 2),
      'Ambient.Temp': n(this.ambient, 0.05),
    };
    for (const s of signals) {
      const v = raw[s.key] ?? 0;
      this.out.set(s.key, clamp(v, s.bounds.min, s.bounds.max));
    }
  }
}
