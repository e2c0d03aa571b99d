// How often a rule would have fired over recent stored data, before it is saved.

export interface AlarmPreview {
  /** Stored data the preview ran over, epoch ms. */
  from: number;
  to: number;
  samples: number;
  /** How many times the rule would have raised an alarm. */
  raises: number;
  /** Seconds it would have been active in total. */
  activeSeconds: number;
  firstRaiseAt: number | null;
  /** Why the preview could not be exact (e.g. device offline conditions are not replayed). */
  notes: string[];
}
