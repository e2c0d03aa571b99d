import type { LastWrite } from '../store/sample-writer.js';
import type { Store } from '../store/store.js';

/** Samples per last-chunk transaction: about 60 KB of rows, so one needs only a few dozen pages of room. */
const CHUNK = 2000;

/**
 * Room for the last write at shutdown on a full disk: first the write-ahead log (checkpointed and truncated),
 * then the reserve file kept for this. Between chunks the log is truncated again, so the log never needs more
 * than one chunk of room. (Deleting old rows, as retention's size cap would, cannot help here: on a full disk a
 * DELETE needs room in the log first.)
 */
export const lastWriteRoom = (store: Store, say: (message: string) => void): LastWrite => {
  const db = store.database;
  const checkpoint = (): number => {
    try {
      const [r] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number }[];
      return r && r.busy === 0 ? r.log : 0;
    } catch {
      return 0;
    }
  };
  let walFreed = false;
  return {
    chunk: CHUNK,
    afterChunk: () => void checkpoint(),
    free: () => {
      if (!walFreed) {
        walFreed = true;
        if (checkpoint() > 0) return true;
      }
      if (store.reserve.release()) {
        say('Stopping on a full disk: released the room kept for this beside the data store.');
        checkpoint();
        return true;
      }
      return false;
    },
  };
};
