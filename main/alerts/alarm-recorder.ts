import type { Logger } from '../log/logger.js';
import type { RuleRuntime, Transition } from '../domain/alarm/alarm-runtime.js';
import type { AlarmSeverity } from '../domain/alarm/rule-schema.js';

/** A transition with the rule's name and severity as they were when it happened (the rule may change later). */
export interface NamedTransition {
  transition: Transition;
  name: string;
  severity: AlarmSeverity;
}

export interface AlarmRecorderOptions {
  /** Stores transitions and runtimes in one transaction; throws when the store refuses (disk full, I/O error). */
  write(
    transitions: readonly Transition[],
    runtimes: readonly RuleRuntime[],
    names: (ruleId: number) => { name: string; severity: AlarmSeverity },
  ): void;
  /** The rules' runtimes now (what is persisted is always the newest state). */
  runtimes(ruleIds: readonly number[]): RuleRuntime[];
  /** The failure in plain words, naming the file ("The data store … cannot grow: the disk is full …"). */
  explain(err: unknown): string;
  log: Logger;
  /** Transitions held in memory while the store refuses writes; the oldest are dropped (counted) beyond this. */
  maxHeld?: number;
}

/**
 * Writes alarm transitions to the store. While the store refuses writes the engine goes on (alarms are raised,
 * shown and announced); their transitions are held here in order, retried with every new transition and every
 * tick, and written, with the newest runtimes, as soon as the store accepts writes again. Nothing is lost
 * silently: the failure, what was dropped beyond the bound, and what is still unwritten at stop are logged.
 */
export class AlarmRecorder {
  private held: NamedTransition[] = [];
  private dropped = 0;
  private failure: string | null = null;
  private readonly maxHeld: number;

  constructor(private readonly o: AlarmRecorderOptions) {
    this.maxHeld = o.maxHeld ?? 10_000;
  }

  /** Transitions not yet in the store. */
  get unsaved(): number {
    return this.held.length;
  }

  /** Stores `batch` after whatever is held; returns whether everything is now in the store. */
  record(batch: readonly NamedTransition[]): boolean {
    for (const t of batch) this.held.push(t);
    if (this.held.length > this.maxHeld) {
      const excess = this.held.length - this.maxHeld;
      if (this.dropped === 0) {
        this.o.log.error(
          `Alarm history: more than ${this.maxHeld} changes are waiting for the store; the oldest are dropped ` +
            '(counted, and reported when the store accepts writes again).',
        );
      }
      this.held.splice(0, excess);
      this.dropped += excess;
    }
    return this.flush();
  }

  /** Retries what is held (the service's tick); true when nothing is held. */
  flush(): boolean {
    if (this.held.length === 0) return true;
    const held = this.held;
    const names = new Map<number, { name: string; severity: AlarmSeverity }>();
    for (const h of held) names.set(h.transition.ruleId, { name: h.name, severity: h.severity });
    try {
      this.o.write(
        held.map((h) => h.transition),
        this.o.runtimes([...names.keys()]),
        (id) => names.get(id) ?? { name: `rule ${id}`, severity: 'info' },
      );
    } catch (err) {
      if (this.failure === null) {
        this.failure = this.o.explain(err);
        this.o.log.error(
          `Alarm history is not being recorded: ${this.failure} Alarms are still raised and shown; their changes ` +
            `are held in memory (up to ${this.maxHeld}) and written when the store accepts writes again.`,
        );
      }
      return false;
    }
    this.held = [];
    if (this.failure !== null) {
      const lost = this.dropped > 0 ? `; ${this.dropped} older change(s) could not be held and are lost` : '';
      this.o.log.info(`Alarm history is being recorded again: ${held.length} held change(s) written${lost}.`);
      this.failure = null;
      this.dropped = 0;
    }
    return true;
  }

  /** Last attempt at stop; says how many changes are lost if the store still refuses. */
  close(): void {
    if (this.flush()) return;
    const n = this.held.length + this.dropped;
    this.o.log.error(
      `Stopping: ${n} alarm change(s) could not be written to the store and are lost (${this.failure ?? 'store error'}). ` +
        'Alarm states are evaluated again from the first samples after the next start.',
    );
    this.held = [];
    this.dropped = 0;
  }
}
