import type { StoreCheck, StoreCheckStatus } from '../domain/store-check.js';
import type { Logger } from '../log/logger.js';
import { fullCheck } from '../store/integrity-check.js';
import { damagedStoreError, refusedCallError, storeFault } from '../store/store-error.js';
import type { Store } from '../store/store.js';
import { AppError } from '../domain/errors/app-error.js';

export interface StoreGuardOptions {
  store: Store | null;
  path: string;
  nativeBinding?: string;
  log: Logger;
  /** The damage state changed (status to emit). */
  changed(): void;
}

/**
 * Watches the store for damage: SQLITE_CORRUPT / SQLITE_NOTADB from any statement the app reports here, or a
 * failed integrity check, stops all writing (the file is kept as it is) and becomes the store's error. Runs the
 * full integrity_check in a worker, in the background after start and on demand (Settings).
 */
export class StoreGuard {
  private damage: string | null = null;
  private last: StoreCheck | null;
  private running: Promise<StoreCheck> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly o: StoreGuardOptions) {
    this.last = o.store?.openCheck ?? null;
  }

  /** Why the store is not written any more, once damage was found. */
  get error(): string | null {
    return this.damage;
  }

  /** Any error from a store statement: true when it was damage (writing is then stopped). */
  observe(err: unknown, doing: string): boolean {
    if (storeFault(err) !== 'damaged') return false;
    this.damaged(err, doing);
    return true;
  }

  /** Plain words for a store failure under a call (full disk, I/O error, damage); null for anything else. */
  explain(call: string, err: unknown): AppError | null {
    const fault = storeFault(err);
    if (fault === null) return null;
    if (fault === 'damaged') {
      this.damaged(err, `answering the call ${call}`);
      return new AppError('store_unavailable', this.damage ?? 'The data store is damaged.', undefined, { cause: err });
    }
    const refused = refusedCallError(this.o.path, call, fault, err);
    this.o.log.warn(`Call ${call} refused: ${refused.message}`);
    return refused;
  }

  status(): StoreCheckStatus {
    return { last: this.last, running: this.running !== null };
  }

  /** A full check soon after start, off the main thread. */
  startBackground(delayMs: number): void {
    if (!this.o.store) return;
    this.timer = setTimeout(() => void this.run().catch(() => undefined), delayMs);
    this.timer.unref();
  }

  /** A full integrity_check now, or the one running. */
  run(): Promise<StoreCheck> {
    if (!this.o.store) return Promise.reject(new AppError('store_unavailable', 'The data store is not open.'));
    this.running ??= this.check().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.abort.abort();
  }

  private async check(): Promise<StoreCheck> {
    const { ran, ...result } = await fullCheck(this.o.path, this.o.nativeBinding, this.abort.signal);
    if (this.abort.signal.aborted) return result;
    this.last = result;
    if (!ran) {
      this.o.log.warn(`Data store check could not run: ${result.problems.join('; ')}`);
    } else if (!result.ok) {
      this.damaged(
        Object.assign(new Error(`integrity_check: ${result.problems.slice(0, 3).join('; ')}`), {
          code: 'SQLITE_CORRUPT',
        }),
        'checking it',
      );
    } else {
      this.o.log.info(`Data store check: integrity_check ok (${result.durationMs} ms).`);
    }
    return result;
  }

  private damaged(err: unknown, doing: string): void {
    if (this.damage !== null || !this.o.store) return;
    this.damage = damagedStoreError(this.o.path, err, doing).message;
    try {
      this.o.store.markDamaged();
    } catch {
      // Already refusing: the message is what matters.
    }
    this.o.log.error(this.damage);
    this.o.changed();
  }
}
