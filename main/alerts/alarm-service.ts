import type { Sample } from '../domain/sample/sample.js';
import type { AlarmCounts } from '../domain/alarm/alarm-counts.js';
import type { AlarmHistoryEvent } from '../domain/alarm/alarm-history-event.js';
import type { AlarmPreview } from '../domain/alarm/alarm-preview.js';
import type { AlarmsChanged } from '../domain/alarm/alarms-changed.js';
import type { DeviceState } from '../domain/device/device-state.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import { AppError } from '../domain/errors/app-error.js';
import { storeError } from '../store/store-error.js';
import { AlarmRecorder } from './alarm-recorder.js';
import { countAlarms, countedLocal, type CountedAlarm } from './alarm-counts.js';
import { AlarmNames } from './alarm-names.js';
import type { AlarmEngineApi, AlarmEngineOptions, RuleRuntime, Transition } from '../domain/alarm/alarm-runtime.js';
import {
  AlarmRuleInput,
  type ActiveAlarm,
  type AlarmRule,
  type AlarmRuleConfig,
  type AlarmRuleSource,
} from '../domain/alarm/rule-schema.js';
import type { EventFilter } from '../store/alarms-repo.js';
import { previewRule } from './rule-preview.js';

export interface AlarmServiceOptions {
  store: Store;
  log: Logger;
  engine: (o: AlarmEngineOptions) => AlarmEngineApi;
  onChanged(e: AlarmsChanged): void;
  /** All alarm counts, given this service's own (adds the other sources); default: this service's alone. */
  counts?: (local: CountedAlarm[]) => AlarmCounts;
  now?: () => number;
  /** Time-based checks (delays, stale values, shelving expiry); default 1 s. */
  tickMs?: number;
}

/**
 * Local alarming: the engine evaluates every collected sample (stored or not: a full disk must not blind the
 * alarms) and device state; this service keeps rules and alarm state in the store (so active alarms and shelving
 * survive a restart), records every transition with time, value and who (held in memory while the store refuses
 * writes, see AlarmRecorder), and tells the renderer. It needs neither the UI nor the cloud.
 */
export class AlarmService {
  private readonly now: () => number;
  private readonly engine: AlarmEngineApi;
  private rulesById = new Map<number, AlarmRule>();
  private readonly names = new AlarmNames();
  private deviceStates = new Map<number, DeviceState['state']>();
  private timer: NodeJS.Timeout | null = null;
  private pendingRaised: AlarmsChanged['raised'] = [];
  private emitTimer: NodeJS.Timeout | null = null;
  private readonly recorder: AlarmRecorder;

  constructor(private readonly o: AlarmServiceOptions) {
    this.now = o.now ?? Date.now;
    this.engine = o.engine({ now: this.now });
    this.recorder = new AlarmRecorder({
      write: (transitions, runtimes, names) => o.store.alarms.record(transitions, runtimes, names),
      runtimes: (ids) =>
        ids.flatMap((id) => {
          const r = this.engine.runtime(id);
          return r ? [r] : [];
        }),
      explain: (err) => storeError(o.store.path, err, 'recording alarm history').message,
      log: o.log,
    });
    this.refreshNames();
    this.reloadRules(o.store.alarms.runtimes());
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.apply(this.engine.tick());
      this.recorder.flush(); // changes held while the store refused writes, once a tick
    }, this.o.tickMs ?? 1000);
    this.timer.unref();
  }

  /** Stops the timers; a last write of alarm changes still held (the store refused them), or a word on the loss. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.emitTimer) clearTimeout(this.emitTimer);
    this.timer = null;
    this.recorder.close();
  }

  /** Alarm changes not yet in the store (it refuses writes). */
  get unsavedChanges(): number {
    return this.recorder.unsaved;
  }

  // ---- inputs -----------------------------------------------------------------------------------

  onSamples(batch: readonly Sample[]): void {
    this.apply(this.engine.onSamples(batch));
  }

  onDeviceStates(states: readonly DeviceState[]): void {
    const out: Transition[] = [];
    for (const s of states) {
      if (this.deviceStates.get(s.deviceId) === s.state) continue;
      this.deviceStates.set(s.deviceId, s.state);
      out.push(...this.engine.onDeviceState(s.deviceId, s.state));
    }
    this.apply(out);
  }

  /** Devices or tags changed: names and units for texts; rules on deleted tags keep their state. */
  devicesChanged(): void {
    this.refreshNames();
  }

  // ---- calls ------------------------------------------------------------------------------------

  active(): ActiveAlarm[] {
    return this.engine
      .activeRuntimes()
      .flatMap((r) => {
        const rule = this.rulesById.get(r.ruleId);
        if (!rule || (r.state === 'normal' && r.shelvedUntil === null)) return [];
        if (r.state === 'normal') return [];
        const unit = this.names.unitOf(rule);
        return [
          {
            ruleId: rule.id,
            ruleName: rule.name,
            severity: rule.severity,
            source: rule.source,
            state: r.state,
            activeSince: r.activeSince ?? 0,
            clearedAt: r.clearedAt,
            ackedAt: r.ackedAt,
            ackedBy: r.ackedBy,
            ackNote: r.ackNote,
            value: r.lastValue,
            unit,
            condition: this.names.text(rule),
            shelvedUntil: r.shelvedUntil,
          },
        ];
      })
      .sort((a, b) => rank(a.severity) - rank(b.severity) || b.activeSince - a.activeSince);
  }

  /** This app's own alarms for the counts (the banner adds TwinEdge's alert events and the OPC UA servers'). */
  counted(): CountedAlarm[] {
    return this.active().map(countedLocal(this.now()));
  }

  counts(): AlarmCounts {
    return this.o.counts?.(this.counted()) ?? countAlarms({ local: this.counted() });
  }

  acknowledge(ruleIds: readonly number[], actor: string, note: string): ActiveAlarm[] {
    const out: Transition[] = [];
    for (const id of ruleIds) {
      this.requireRule(id);
      const t = this.engine.acknowledge(id, actor, note || null);
      if (t) out.push(t);
    }
    this.apply(out);
    if (out.length > 0) this.o.log.info(`${out.length} alarm(s) acknowledged by ${actor}${note ? `: ${note}` : ''}.`);
    return this.active();
  }

  shelve(ruleId: number, minutes: number, actor: string, note: string): ActiveAlarm[] {
    const rule = this.requireRule(ruleId);
    const t = this.engine.shelve(ruleId, this.now() + minutes * 60_000, actor, note || null);
    this.apply(t ? [t] : []);
    this.o.log.info(`Alarm "${rule.name}" shelved for ${minutes} min by ${actor}.`);
    return this.active();
  }

  unshelve(ruleId: number, actor: string): ActiveAlarm[] {
    this.requireRule(ruleId);
    const t = this.engine.unshelve(ruleId, actor);
    this.apply(t ? [t] : []);
    return this.active();
  }

  history(f: EventFilter): AlarmHistoryEvent[] {
    return this.o.store.alarms.events(f).map((e) => {
      const rule = this.rulesById.get(e.ruleId);
      return { ...e, unit: rule ? this.names.unitOf(rule) : '' };
    });
  }

  rules(): AlarmRule[] {
    return [...this.rulesById.values()];
  }

  saveRule(config: AlarmRuleConfig, source: AlarmRuleSource = 'local', cloudId: string | null = null): AlarmRule {
    if (config.id !== undefined) {
      const existing = this.requireRule(config.id);
      if (existing.source === 'cloud' && source !== 'cloud') {
        throw new AppError(
          'invalid_input',
          `"${existing.name}" comes from TwinEdge: change it there (it is pulled again on refresh).`,
        );
      }
    }
    const saved = this.storeRule(
      config,
      config.id !== undefined ? (this.rulesById.get(config.id)?.source ?? source) : source,
      cloudId,
    );
    this.reloadRules();
    this.o.log.info(`Alarm rule "${saved.name}" saved (${saved.severity}: ${this.names.text(saved)}).`);
    return saved;
  }

  /**
   * Checks a rule and writes it to the store without loading it into the engine, for a caller's transaction
   * (a config file): the engine must not run, or record transitions of, a rule that may still roll back.
   * The caller calls `reload()` once its transaction has committed or rolled back.
   */
  storeRule(config: AlarmRuleConfig, source: AlarmRuleSource, cloudId: string | null = null): AlarmRule {
    this.checkReferences(config);
    return this.o.store.alarms.saveRule(config, source, cloudId, this.now());
  }

  /** Re-reads rules, device and tag names from the store (after a caller wrote them there directly). */
  reload(): void {
    this.refreshNames();
    this.reloadRules();
    this.emitSoon();
  }

  deleteRule(id: number): void {
    const rule = this.requireRule(id);
    this.o.store.alarms.deleteRule(id);
    this.reloadRules();
    this.o.log.info(`Alarm rule "${rule.name}" deleted.`);
    this.emitSoon();
  }

  /** Runs the draft over the last `minutes` of stored samples with a fresh engine, on the samples' own clock. */
  preview(input: AlarmRuleConfig, minutes: number): AlarmPreview {
    this.checkReferences(input);
    return previewRule(input, minutes, this.now(), {
      engine: (opts) => this.o.engine(opts),
      raw: (id, from, to) => this.o.store.samples.raw(id, from, to),
    });
  }

  /** Replaces the rules that came from TwinEdge with `rules` (already mapped to local tags). */
  replaceCloudRules(rules: readonly { cloudId: string; config: AlarmRuleConfig }[]): void {
    const keep = new Set(rules.map((r) => r.cloudId));
    for (const existing of this.rulesById.values()) {
      if (existing.source === 'cloud' && existing.cloudId && !keep.has(existing.cloudId))
        this.o.store.alarms.deleteRule(existing.id);
    }
    for (const r of rules) {
      const existing = [...this.rulesById.values()].find((x) => x.cloudId === r.cloudId);
      if (existing && existing.source !== 'cloud') continue; // our own rule, pushed earlier
      this.o.store.alarms.saveRule(
        { ...r.config, ...(existing ? { id: existing.id } : {}) },
        'cloud',
        r.cloudId,
        this.now(),
      );
    }
    this.reloadRules();
  }

  /** Remembers the TwinEdge id of a rule pushed there. */
  linkCloud(id: number, cloudId: string): AlarmRule {
    this.requireRule(id);
    this.o.store.alarms.setCloudId(id, cloudId);
    this.reloadRules();
    return this.requireRule(id);
  }

  rule(id: number): AlarmRule {
    return this.requireRule(id);
  }

  // ---- internals ----------------------------------------------------------------------------------

  private requireRule(id: number): AlarmRule {
    const r = this.rulesById.get(id);
    if (!r) throw new AppError('not_found', `Alarm rule ${id} does not exist (deleted meanwhile?).`);
    return r;
  }

  private checkReferences(config: AlarmRuleConfig): void {
    this.refreshNames();
    const fields = this.names.missingReferences(config);
    if (fields.length > 0)
      throw new AppError('invalid_input', 'The rule refers to tags or devices that do not exist.', fields);
    const parsed = AlarmRuleInput.safeParse(config);
    if (!parsed.success) throw new AppError('invalid_input', parsed.error.message);
  }

  private reloadRules(restored?: readonly RuleRuntime[]): void {
    const rules = this.o.store.alarms.rules();
    this.rulesById = new Map(rules.map((r) => [r.id, r]));
    this.engine.setRules(rules, restored);
  }

  private refreshNames(): void {
    this.names.refresh(this.o.store.devices.list());
  }

  private apply(transitions: readonly Transition[]): void {
    if (transitions.length === 0) return;
    this.recorder.record(
      transitions.map((transition) => {
        const rule = this.rulesById.get(transition.ruleId);
        return { transition, name: rule?.name ?? `rule ${transition.ruleId}`, severity: rule?.severity ?? 'info' };
      }),
    );
    for (const t of transitions) {
      const rule = this.rulesById.get(t.ruleId);
      if (!rule) continue;
      if (t.kind === 'raised') {
        this.pendingRaised.push({
          ruleId: rule.id,
          ruleName: rule.name,
          severity: rule.severity,
          condition: this.names.text(rule),
          value: t.value,
          unit: this.names.unitOf(rule),
          shelved: t.shelved,
          at: t.ts,
        });
        if (!t.shelved)
          this.o.log.warn(
            `Alarm raised (${rule.severity}): ${rule.name}: ${this.names.text(rule)}, value ${t.value ?? '—'}.`,
          );
      }
    }
    this.emitSoon();
  }

  /** Another source's alarms changed (TwinEdge's alert events, an OPC UA server's conditions): new counts out. */
  otherAlarmsChanged(): void {
    this.emitSoon();
  }

  /** At most four events a second: a flood of transitions becomes a few messages. */
  private emitSoon(): void {
    if (this.emitTimer) return;
    this.emitTimer = setTimeout(() => {
      this.emitTimer = null;
      const raised = this.pendingRaised;
      this.pendingRaised = [];
      this.o.onChanged({ counts: this.counts(), raised, at: this.now() });
    }, 250);
    this.emitTimer.unref();
  }
}

const rank = (s: AlarmRule['severity']): number => (s === 'critical' ? 0 : s === 'warning' ? 1 : 2);
