/** One check of the store file with SQLite's own checker. */
export interface StoreCheck {
  /** 'quick': quick_check at open (bounded); 'full': integrity_check in the background after start or from Settings. */
  kind: 'quick' | 'full';
  at: number;
  durationMs: number;
  ok: boolean;
  /** SQLite's findings (the first 20), empty when ok; or why the check could not run. */
  problems: string[];
}

export interface StoreCheckStatus {
  /** The latest result (null before the first); a full check is running while `running`. */
  last: StoreCheck | null;
  running: boolean;
}
