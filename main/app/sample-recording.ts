// Recording collected samples: the writer that holds them while the store refuses writes, and its last write at stop.
import type { Sample } from '../domain/sample/sample.js';
import type { RateMeter } from '../domain/rate-meter.js';
import type { Logger } from '../log/logger.js';
import { SampleWriter } from '../store/sample-writer.js';
import { storeError as explainStoreError } from '../store/store-error.js';
import type { QueuePolicy, Store } from '../store/store.js';
import { lastWriteRoom } from '../history/last-write-room.js';
import { lossLine, stopLossLine } from './sample-loss-report.js';
import type { StoreGuard } from './store-guard.js';

export interface SampleRecordingDeps {
  store: Store | null;
  storePath: string;
  guard: StoreGuard;
  log: Logger;
  meter: RateMeter;
  /** Samples held in memory while the store cannot be written (AppOptions.sampleBufferLimit). */
  bufferLimit: number;
  /** How stored samples are queued for upload (read at each write: sync starts after the writer). */
  queuePolicy: () => QueuePolicy | null;
  /** AppOptions.onSamplesStored. */
  onStored: ((batch: readonly Sample[]) => void) | undefined;
  /** Records the write error (null: writing again), before it is logged. */
  setWriteError: (message: string | null) => void;
  /** After a write error changed and was logged: status to emit. */
  writeErrorChanged: () => void;
  /** Samples started or stopped being lost: status to emit (once status runs). */
  lossChanged: () => void;
}

export const createSampleWriter = (d: SampleRecordingDeps): SampleWriter => {
  const { store, storePath, guard, log } = d;
  return new SampleWriter({
    write: (batch) => {
      try {
        store?.writeSamples(batch, d.queuePolicy());
      } catch (err) {
        guard.observe(err, 'storing samples');
        // In plain words, naming the file: "... cannot grow: the disk is full while storing samples."
        throw explainStoreError(storePath, err, 'storing samples');
      }
    },
    onLoss: (kind, loss, total) => {
      const line = lossLine(kind, loss, total, d.bufferLimit);
      if (kind === 'started') log.error(line);
      else log.warn(line);
      d.lossChanged();
    },
    maxPending: d.bufferLimit,
    onWritten: (batch) => {
      d.onStored?.(batch);
      d.meter.add(batch.length);
    },
    onError: (message) => {
      d.setWriteError(message);
      if (message) log.error(message);
      else log.info('Samples are being recorded again.');
      d.writeErrorChanged();
    },
  });
};

/**
 * The writer's last write at stop (making room on a full disk), and what it could not store: in the log, and
 * on stderr when samples are lost.
 */
export const closeSampleWriter = (
  writer: SampleWriter,
  d: { store: Store | null; log: Logger; why: string | null; stderr: ((line: string) => void) | undefined },
): void => {
  const { store, log } = d;
  const closed = writer.close(store && !store.isDamaged ? lastWriteRoom(store, (m) => log.warn(m)) : undefined);
  if (closed.lost === 0 && closed.keptAtClose === 0) return;
  const line = stopLossLine(closed, d.why);
  if (closed.lost > 0) {
    log.error(line);
    try {
      (d.stderr ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
    } catch {
      // stderr gone: the log has it.
    }
  } else log.info(line);
};
