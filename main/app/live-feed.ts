import type { AlarmService } from '../alerts/alarm-service.js';
import type { Sample } from '../domain/sample/sample.js';
import { errorMessage } from '../domain/errors/app-error.js';
import type { LiveStream } from '../live/live-stream.js';
import type { Logger } from '../log/logger.js';

/** Backfilled history is stored, not live: old values must not raise alarms or crowd the live stream. */
export const liveOnly = (batch: readonly Sample[]): readonly Sample[] => {
  for (const s of batch) if (s.historical) return batch.filter((x) => !x.historical);
  return batch;
};

/**
 * Feeds the live stream and the alarm engine with collected samples as they come, whether or not the store can
 * write them: a full disk must not blind the alarms or freeze the live values (they used to be fed only after a
 * successful write, so a limit crossed during a full disk raised its alarm when space returned). A failure here
 * is logged (once until the feed works again) and never stops the samples from being stored.
 */
export const liveFeed = (o: {
  live: LiveStream;
  /** Read per batch: the service is created after the collectors' callback is. */
  alarms: () => AlarmService | null;
  log: Logger;
}) => {
  let failing = false;
  return (batch: readonly Sample[]): void => {
    const current = liveOnly(batch);
    if (current.length === 0) return;
    try {
      o.live.push(current);
      o.alarms()?.onSamples(current);
      failing = false;
    } catch (err) {
      if (!failing)
        o.log.error(`Live values and alarms: a batch of samples could not be evaluated: ${errorMessage(err)}`);
      failing = true;
    }
  };
};
