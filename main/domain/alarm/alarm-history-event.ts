import type { AlarmEvent } from './rule-schema.js';

// One lifecycle transition of a local alarm, as the history lists it.

/** A history entry with the unit of its value (the first condition's tag's unit; "" when none or the tag is gone). */
export interface AlarmHistoryEvent extends AlarmEvent {
  unit: string;
}
