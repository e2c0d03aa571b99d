import { afterEach, describe, expect, it } from 'vitest';
import { scaledClock } from '../../main/sync/clock.js';
import { dialects } from '../sim/cloud/index.js';
import {
  localKeys,
  samplesOf,
  startSyncRig as startRig,
  type RigOptions,
  type SyncRig,
} from '../helpers/sync-fixture.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Store and forward against the local TwinEdge API over real HTTP, with a real SQLite store: exactly once
 * through faults, restarts with a batch in flight, outages drained inside the Trial tier's budget, rejected
 * points, oversized batches, a full buffer and a refused key. In every dialect of the simulator: each is a
 * legitimate reading of the vendor reference, and the promises hold in all of them.
 */
describe.each(dialects)('store and forward to TwinEdge (%s dialect)', (dialect) => {
  let rig: SyncRig | undefined;
  const startSyncRig = (o: RigOptions = {}): Promise<SyncRig> => startRig({ dialect, ...o });
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  const remoteKeys = (r: SyncRig): string[] =>
    r.sim
      .points()
      .map((p) => `${p.tag_name}@${p.timestamp}`)
      .sort();

  it('delivers every sample exactly once through 5xx, 429s and dropped connections', async () => {
    rig = await startSyncRig({
      faults: { error5xxRate: 0.2, error5xxAfterApply: 0.5, rate429: 0.1, dropRate: 0.1 },
      seed: 7,
    });
    const t0 = Date.UTC(2026, 10, 30, 8);
    // Written while uploads run, as a collector would.
    for (let i = 0; i < 40; i++) {
      rig.write(samplesOf(rig.device, t0 + i * 250_000, 2500));
      await new Promise((r) => setTimeout(r, 5));
    }
    await rig.drained(120_000);
    const stats = rig.sim.stats();
    expect(stats.injected5xx).toBeGreaterThan(0);
    expect(stats.injected429).toBeGreaterThan(0);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.duplicatePoints).toBe(0);
    expect(stats.pointsStored).toBe(100_000);
    expect(remoteKeys(rig)).toEqual(localKeys(rig.store, rig.device));
    // Applied-then-failed requests were resent with the same key and answered from the server's memory.
    expect(stats.replayed).toBeGreaterThan(0);
  }, 180_000);

  it('resends the batch in flight after a restart with the same key, and TwinEdge stores it once', async () => {
    // Every ingest is applied, then answered 500: the app never learns it succeeded.
    rig = await startSyncRig();
    await rig.ready();
    rig.sim.setFaults({ error5xxRate: 1, error5xxAfterApply: 1 });
    rig.write(samplesOf(rig.device, Date.UTC(2026, 10, 30), 1500));
    await waitFor(() => rig!.sim.stats().pointsStored === 1500, 20_000, 'the first attempt to be applied');
    const inflight = rig.store.sync.inflight();
    expect(inflight).not.toBeNull();
    await rig.closeApp();
    rig.sim.setFaults({ error5xxRate: 0 });
    await rig.reopen();
    await rig.drained();
    const stats = rig.sim.stats();
    expect(stats.pointsStored).toBe(1500);
    expect(stats.duplicatePoints).toBe(0);
    expect(stats.replayed).toBeGreaterThan(0);
    expect(rig.sync.status().uploadedTotal).toBe(1500);
  });

  it('drains a day of outage inside the Trial budget without a single 429, live data interleaved', async () => {
    // One real second is 2,000 s for both sides, so the day's budget windows are exercised for real.
    const clock = scaledClock(2000, Date.UTC(2026, 10, 29, 0, 0, 5));
    rig = await startSyncRig({
      tier: 'trial',
      clock,
      tags: 10,
      faults: { down: true },
      sync: { uploader: { liveIntervalMs: 5000, backoff: { baseMs: 1000, capMs: 60_000 } } },
    });
    // A day of 1 Hz data for 10 tags, generated while TwinEdge cannot be reached.
    const dayStart = clock.now();
    for (let h = 0; h < 24; h++) rig.write(samplesOf(rig.device, dayStart - 86_400_000 + h * 3_600_000, 36_000));
    const outage = rig.store.outbox.current.samples;
    expect(outage).toBe(864_000);
    await waitFor(() => rig!.sync.status().state === 'offline', 20_000, 'the offline state');
    rig.sim.setFaults({ down: false });
    rig.sync.configure({}); // nothing changes; the uploader wakes by its own backoff
    // Live samples keep arriving during the drain.
    let live = 0;
    const timer = setInterval(() => {
      rig?.write(samplesOf(rig.device, clock.now(), 10));
      live += 10;
    }, 50);
    try {
      await rig.drained(120_000);
    } finally {
      clearInterval(timer);
    }
    await rig.drained(60_000);
    const stats = rig.sim.stats();
    expect(stats.rateLimited).toBe(0);
    expect(rig.sync.uploaderRateLimited).toBe(0);
    expect(stats.duplicatePoints).toBe(0);
    expect(stats.pointsStored).toBe(outage + live);
    // Interleaved: some live point reached TwinEdge before the last of the outage's points did.
    let liveFirst = Infinity;
    let backlogLast = -Infinity;
    for (const p of rig.sim.points()) {
      if (Date.parse(p.timestamp) >= dayStart) liveFirst = Math.min(liveFirst, p.received_at);
      else backlogLast = Math.max(backlogLast, p.received_at);
    }
    expect(liveFirst).toBeLessThan(backlogLast);
    // Within the day's request budget (1,000), with the uploads near the 10,000-point batch limit.
    expect(stats.ingestRequests).toBeLessThan(200);
    expect(stats.ingestRequests).toBeGreaterThanOrEqual(Math.ceil(outage / 10_000));
  }, 240_000);

  // The minimal reading answers with counts only (or nothing) for some batches: which points were refused is then
  // not known, by design (the tolerant-reader tests cover what is read from each of its shapes).
  it.skipIf(dialect === 'minimal')(
    'records points TwinEdge rejects, shows them, and does not send them again',
    async () => {
      rig = await startSyncRig();
      const now = Date.now();
      const good = samplesOf(rig.device, now - 60_000, 50);
      const future = samplesOf(rig.device, now + 3 * 86_400_000, 20); // more than a day ahead: refused
      rig.write([...good, ...future]);
      await rig.drained();
      await waitFor(() => rig!.sync.status().rejectedTotal === 20, 10_000, 'the rejections to be counted');
      const rejections = rig.sync.rejections(100);
      expect(rejections).toHaveLength(20);
      expect(rejections[0]).toMatchObject({ deviceName: 'Boiler PLC', code: expect.any(String) as string });
      expect(rejections.every((r) => r.ts >= now + 86_400_000)).toBe(true);
      const requests = rig.sim.stats().ingestRequests;
      await new Promise((r) => setTimeout(r, 400));
      expect(rig.sim.stats().ingestRequests).toBe(requests);
      expect(rig.sim.stats().pointsStored).toBe(50);
    },
  );

  it('halves its batches when TwinEdge says a batch is too large, losing nothing', async () => {
    rig = await startSyncRig({ tags: 1, sync: { uploader: { maxPoints: 10_000, liveIntervalMs: 100 } } });
    const tag = rig.device.tags[0]?.id ?? 0;
    const t0 = Date.UTC(2026, 10, 30, 6);
    // Long texts: 10,000 of them are well over the 2 MiB body limit.
    rig.write(
      Array.from({ length: 12_000 }, (_, i) => ({
        tagId: tag,
        ts: t0 + i,
        value: null,
        quality: 0,
        text: `LOT-${i}-`.padEnd(300, 'x'),
      })),
    );
    await rig.drained();
    const stats = rig.sim.stats();
    expect(stats.byStatus[413]).toBeGreaterThan(0);
    expect(stats.pointsStored).toBe(12_000);
    expect(stats.duplicatePoints).toBe(0);
  });

  it('keeps the buffer under its cap while offline, dropping the oldest and counting them', async () => {
    rig = await startSyncRig({ faults: { down: true } });
    rig.store.settings.set('sync.capBytes', 400_000);
    const t0 = Date.UTC(2026, 10, 30);
    for (let i = 0; i < 20; i++) rig.write(samplesOf(rig.device, t0 + i * 100_000, 1000));
    const st = rig.sync.status();
    expect(st.backlog.bytes).toBeLessThanOrEqual(400_000);
    expect(st.backlog.droppedSamples).toBeGreaterThan(0);
    expect(st.backlog.samples + st.backlog.droppedSamples).toBe(20_000);
    // The oldest went: what is left starts later than the first batch.
    expect(st.backlog.oldestTs).toBeGreaterThan(t0);
    // Stored history is untouched by the upload buffer's policy.
    expect(rig.store.samples.count()).toBe(20_000);
    rig.sim.setFaults({ down: false });
    await rig.drained();
    expect(rig.sim.stats().pointsStored).toBe(st.backlog.samples);
  });

  it('stops at a refused key without hammering TwinEdge, keeping the backlog', async () => {
    rig = await startSyncRig({ key: 'te_wrong_key_000000000000' });
    rig.write(samplesOf(rig.device, Date.UTC(2026, 10, 30), 500));
    await waitFor(() => rig!.sync.status().state === 'unauthorized', 10_000, 'the unauthorized state');
    const before = rig.sim.stats().requests;
    await new Promise((r) => setTimeout(r, 500));
    expect(rig.sim.stats().requests - before).toBeLessThanOrEqual(1);
    expect(rig.sync.status().summary).toMatch(/refused the API key/);
    expect(rig.store.outbox.current.samples + (rig.store.sync.inflight() ? 1 : 0)).toBeGreaterThan(0);
  });
});
