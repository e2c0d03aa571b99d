import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../main/domain/sample/sample.js';
import { dashboardToView, viewToDashboard, type TagRef } from '../../main/history/dashboard-views.js';
import { toOverlays } from '../../main/history/prediction-overlay.js';
import { TwinEdgeHistory } from '../../main/history/twinedge-history.js';
import type { CloudFill } from '../../main/history/cloud-source.js';
import { scaledClock } from '../../main/sync/clock.js';
import { listAll } from '../../main/sync/client/pages.js';
import { anomalyScore } from '../sim/cloud/ml.js';
import { startSyncRig, type SyncRig } from '../helpers/sync-fixture.js';
import { waitFor } from '../helpers/wait.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * The cloud half of trends against the local TwinEdge API over real HTTP: history older than the local store
 * from aggregated GET /telemetry, trend views as dashboards and back, and ML predictions as overlays.
 */
describe('trends and TwinEdge', () => {
  let rig: SyncRig;
  let tags: Map<number, TagRef>;
  // Two hours of 10 s data, three days back, on 10-minute boundaries.
  const t0 = Math.floor((Date.now() - 3 * 24 * HOUR) / HOUR) * HOUR;
  const written: Sample[] = [];

  beforeAll(async () => {
    // 60x: the simulated training job (30 s of server time) completes in half a second.
    rig = await startSyncRig({ tags: 3, clock: scaledClock(60) });
    tags = new Map(rig.device.tags.map((t) => [t.id, { ...t, deviceName: rig.device.config.name }]));
    await waitFor(() => rig.sync.status().devices.every((d) => d.state === 'synced'), 20_000, 'device registered');
    const [a, b] = rig.device.tags;
    for (let i = 0; i < 720; i++) {
      const ts = t0 + i * 10_000;
      // A single spike in bucket 5 that an average would hide.
      written.push({ tagId: a?.id ?? 0, ts, value: i === 333 ? 500 : 20 + Math.sin(i / 30) * 5, quality: 0 });
      written.push({ tagId: b?.id ?? 0, ts, value: i % 7, quality: 0 });
    }
    rig.write(written);
    await rig.drained();
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });

  const history = (): TwinEdgeHistory =>
    new TwinEdgeHistory({
      target: (id) => rig.sync.cloudTarget(id),
      client: () => rig.sync.cloud(),
      now: () => Date.now(),
    });

  it('fills older ranges from aggregated telemetry, envelope exact, cached', async () => {
    const tag = rig.device.tags[0];
    if (!tag) throw new Error('no tag');
    const h = history();
    const fill = (await h.fetch(tag.id, t0, t0 + 2 * HOUR, 10 * MIN)) as CloudFill;
    expect(fill.ts).toHaveLength(12);
    expect(fill.ts[0]).toBe(t0);
    for (let k = 0; k < 12; k++) {
      const inBucket = written.filter(
        (s) => s.tagId === tag.id && s.ts >= t0 + k * 10 * MIN && s.ts < t0 + (k + 1) * 10 * MIN,
      );
      const values = inBucket.map((s) => s.value ?? 0);
      expect(fill.min[k]).toBeCloseTo(Math.min(...values), 6);
      expect(fill.max[k]).toBeCloseTo(Math.max(...values), 6);
      expect(fill.avg[k]).toBeCloseTo(values.reduce((x, y) => x + y, 0) / values.length, 6);
    }
    expect(Math.max(...fill.max.map((v) => v ?? 0))).toBe(500);
    // 5-minute intervals, 24 rows: one page for each of avg, min and max.
    expect(h.requests).toBe(3);
    await h.fetch(tag.id, t0, t0 + 2 * HOUR, 10 * MIN);
    expect(h.requests).toBe(3);
  });

  it('says why it cannot fill: unknown device, no key', async () => {
    const h = new TwinEdgeHistory({
      target: () => null,
      client: () => rig.sync.cloud(),
      now: () => Date.now(),
    });
    expect(await h.fetch(1, t0, t0 + HOUR, MIN)).toEqual({
      unavailable: expect.stringContaining('not registered') as string,
    });
    const noKey = new TwinEdgeHistory({
      target: (id) => rig.sync.cloudTarget(id),
      client: () => {
        throw new Error('No TwinEdge API key is set.');
      },
      now: () => Date.now(),
    });
    const tag = rig.device.tags[0];
    expect(await noKey.fetch(tag?.id ?? 0, t0, t0 + HOUR, MIN)).toEqual({
      unavailable: 'Older data cannot be fetched from TwinEdge: No TwinEdge API key is set.',
    });
  });

  it('saves a trend view as a dashboard, updates it in place, and opens it back as a view', async () => {
    const ids = rig.device.tags.map((t) => t.id).slice(0, 2);
    const view = {
      name: 'Boiler temperatures',
      tagIds: ids,
      axes: [{ unit: '°C', min: null, max: null }],
      range: { kind: 'relative' as const, minutes: 480 },
      follow: true,
    };
    const body = viewToDashboard(view, tags, (id) => rig.sync.cloudTarget(id));
    expect(body.widgets[0]?.range).toBe('PT8H');
    const saved = await rig.sync.saveDashboard(body, null);
    const again = await rig.sync.saveDashboard({ ...body, name: 'Boiler temperatures (shift)' }, saved.id);
    expect(again.id).toBe(saved.id);
    const all = await listAll((page) => rig.sync.cloud().listDashboards({ page, per_page: 100 }));
    expect(all.filter((d) => d.id === saved.id)).toHaveLength(1);
    expect((await rig.sync.dashboards(false)).items.find((d) => d.id === saved.id)?.name).toBe(
      'Boiler temperatures (shift)',
    );

    // A dashboard someone built in TwinEdge: our two tags, one from another site, and a gauge.
    const foreign = await rig.sync.cloud().createDashboard({
      name: 'Site overview',
      widgets: [
        {
          type: 'trend',
          title: 'Temps',
          series: [...(body.widgets[0]?.series ?? []), { asset_id: 'asset-elsewhere', tag_name: 'FT-9' }],
          range: { start: new Date(t0).toISOString(), end: new Date(t0 + 2 * HOUR).toISOString() },
        },
        { type: 'gauge', title: 'Pressure', series: [] },
      ],
    });
    const opened = dashboardToView(await rig.sync.cloud().getDashboard(foreign.id), tags, (a, t) =>
      rig.sync.localTag(a, t),
    );
    expect(opened.view.tagIds).toEqual(ids);
    expect(opened.view.range).toEqual({ kind: 'absolute', from: t0, to: t0 + 2 * HOUR });
    expect(opened.view.follow).toBe(false);
    expect(opened.missing).toEqual(['FT-9 (TwinEdge asset asset-elsewhere)', 'Pressure (a gauge widget, not a trend)']);
  });

  it('refuses to save tags whose device is not in TwinEdge, naming them', () => {
    const id = rig.device.tags[0]?.id ?? 0;
    expect(() =>
      viewToDashboard(
        { name: 'x', tagIds: [id], axes: [], range: { kind: 'relative', minutes: 10 }, follow: true },
        tags,
        () => null,
      ),
    ).toThrow(/Boiler PLC \/ TT100/);
  });

  it('overlays a trained model’s anomaly scores on the tag it concerns', async () => {
    const tag = rig.device.tags[1];
    if (!tag) throw new Error('no tag');
    const job = await rig.sync.train({
      deviceId: rig.device.id,
      name: 'anomaly TT101',
      modelType: 'anomaly_detection',
      tagNames: [tag.name],
      hours: 24,
    });
    await waitFor(async () => (await rig.sync.trainingJob(job.id)).status === 'completed', 20_000, 'training');
    const assetId = rig.sync.cloudTarget(tag.id)?.assetId ?? '';
    const now = Date.now();
    const from = Math.ceil((now - 6 * HOUR) / HOUR) * HOUR;
    const predictions = await listAll((page) =>
      rig.sync.cloud().predictions({
        asset_id: assetId,
        start: new Date(from).toISOString(),
        end: new Date(from + 5 * HOUR).toISOString(),
        page,
        per_page: 100,
      }),
    );
    const other = rig.device.tags[0];
    const overlays = toOverlays(
      [
        { tagId: tag.id, tagName: tag.name, assetId },
        { tagId: other?.id ?? 0, tagName: other?.name ?? '', assetId },
      ],
      predictions,
    );
    expect(overlays).toHaveLength(1);
    expect(overlays[0]?.tagId).toBe(tag.id);
    expect(overlays[0]?.deviceWide).toBe(false);
    expect(overlays[0]?.points.map((p) => p.ts)).toEqual([0, 1, 2, 3, 4].map((i) => from + i * HOUR));
    expect(overlays[0]?.points.map((p) => p.score)).toEqual(
      [0, 1, 2, 3, 4].map((i) => anomalyScore(assetId, from + i * HOUR)),
    );
  });
});
