import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../main/app/create-app.js';
import type { Collector, CollectorDevice, CollectorEvents } from '../../main/collect/types.js';
import type { Sample } from '../../main/domain/sample/sample.js';
import { EnvSecretStore } from '../../main/secrets/env-store.js';
import { Store } from '../../main/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { lineLogger } from '../helpers/line-logger.js';

const BATCHES = 5;

/**
 * A device whose session close never completes (a PLC that stops answering mid-shutdown): it sends samples while
 * running, keeps one batch buffered until stop, and its stop never resolves. After the app has stopped it still
 * tries to deliver a late batch.
 */
class HangingCollector implements Collector {
  static late: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private k = 0;

  constructor(
    private readonly device: CollectorDevice,
    private readonly events: CollectorEvents,
  ) {}

  private batch(): Sample[] {
    const t = 1_700_000_000_000 + this.k++ * 1000;
    return [...this.device.tagIds.values()].map((tagId) => ({ tagId, ts: t, value: this.k, quality: 0 }));
  }

  start(): void {
    this.events.onState({ state: 'connected', message: null });
    this.timer = setInterval(() => {
      if (this.k < BATCHES) this.events.onSamples(this.batch());
    }, 20);
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    // What it had buffered goes out as the stop begins (as the OPC UA collector flushes before its teardown).
    this.events.onSamples(this.batch());
    HangingCollector.late = () => this.events.onSamples(this.batch());
    return new Promise<void>(() => undefined);
  }
}

describe('app stop with a device that never closes', () => {
  const dir = tempDir('twinedge-stop-');
  afterAll(() => dir.remove());

  it('gives up on it after the bound, stores every sample received, says which device, and ignores late ones', async () => {
    const lines: string[] = [];
    const log = lineLogger(lines);
    const app = await createApp({
      dataDir: dir.path,
      shell: 'browser',
      version: 'test',
      logger: log,
      demo: { enabled: false },
      secretStore: new EnvSecretStore({}),
      collectorFactory: (device, events) => new HangingCollector(device, events),
      collectorStopMs: 300,
    });
    const saved = await app.router.invoke('devices.save', {
      name: 'Press 4 PLC',
      protocol: 'modbus',
      settings: { host: '127.0.0.1', port: 1 },
      tags: [
        { name: 'Force', area: 'holding', address: 0, dataType: 'float32' },
        { name: 'Stroke', area: 'holding', address: 2, dataType: 'float32' },
      ],
    });
    expect(saved.ok).toBe(true);
    const count = (): number =>
      (app.store?.database.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;
    await waitFor(() => count() === BATCHES * 2, 10_000, 'the running samples to be stored');

    const t = Date.now();
    await app.stop();
    const took = Date.now() - t;
    // Counts, not speed: the stop came back although the collector's stop never will.
    expect(took).toBeGreaterThanOrEqual(250);
    expect(lines.filter((l) => l.startsWith('WARN Stopping:'))).toEqual([
      'WARN Stopping: "Press 4 PLC" did not close within 0.3 s; the connection is abandoned. Samples received until now are stored.',
    ]);
    expect(lines.at(-1)).toBe('INFO Stopped.');

    // A late delivery after the store closed neither throws nor reaches the file.
    expect(HangingCollector.late).toBeDefined();
    HangingCollector.late?.();
    await new Promise((r) => setTimeout(r, 50));

    const store = Store.open(`${dir.path}/twinedge.sqlite`);
    try {
      const n = (store.database.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;
      // Every batch sent while running, plus the one flushed as the stop began; none of the late one.
      expect(n).toBe((BATCHES + 1) * 2);
      expect(store.database.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      store.close();
    }
    expect(lines.filter((l) => l.startsWith('ERROR'))).toEqual([]);
  });
});
