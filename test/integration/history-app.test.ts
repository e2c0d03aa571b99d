import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import type { CallName, WireError } from '../../main/contract/wire.js';
import type { CallOutput } from '../../main/contract/contract.js';
import { ModbusDeviceInput } from '../../main/domain/device/device-schema.js';
import { silentLogger } from '../../main/log/logger.js';
import { tempDir } from '../helpers/temp-dir.js';

const call = async <K extends CallName>(app: App, name: K, input: unknown = {}): Promise<CallOutput<K>> => {
  const r = await app.router.invoke(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
  return r.value as CallOutput<K>;
};
const fail = async (app: App, name: CallName, input: unknown): Promise<WireError> => {
  const r = await app.router.invoke(name, input);
  if (r.ok) throw new Error(`${name} did not fail`);
  return r.error;
};

describe('history, export, retention and views through the router', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const f of cleanup.reverse()) await f();
    cleanup.length = 0;
  });

  it('answers with what was just stored', async () => {
    const dir = tempDir();
    const app = await createApp({ dataDir: dir.path, shell: 'browser', version: 'test', logger: silentLogger });
    cleanup.push(
      () => dir.remove(),
      () => app.stop(),
    );
    const store = app.store;
    if (!store) throw new Error('no store');
    const device = store.devices.save(
      ModbusDeviceInput.parse({
        name: 'Plc',
        protocol: 'modbus',
        enabled: false,
        settings: { host: '10.0.0.5' },
        tags: [{ name: 'Level', unit: '%', area: 'holding', address: 0, dataType: 'uint16' }],
      }),
    );
    const tagId = device.tags[0]?.id ?? 0;
    const t0 = Date.UTC(2026, 10, 30, 10);
    store.writeSamples(
      Array.from({ length: 7200 }, (_, i) => ({ tagId, ts: t0 + i * 1000, value: i % 60, quality: 0 })),
      null,
    );
    const r = await call(app, 'history.query', { tagIds: [tagId], from: t0, to: t0 + 2 * 3_600_000, pixels: 100 });
    expect(r.series[0]).toMatchObject({ resolution: '1m', bucketMs: 120_000 });
    expect(r.series[0]?.count?.every((c) => c === 120)).toBe(true);
    expect(r.oldestRollup).toBe(t0);

    const csv = await call(app, 'history.export', {
      tagIds: [tagId],
      from: t0,
      to: t0 + 3_600_000,
      resolution: '1h',
    });
    expect(csv.rows).toBe(1);
    expect(csv.csv).toContain(',Plc,Level,%,0,59,29.5,3600');

    const status = await call(app, 'retention.set', { rawDays: 30 });
    expect(status.settings).toEqual({ rawDays: 30, rollupDays: 1825, maxBytes: 10 * 1024 ** 3, alarmEventDays: 365 });
    expect(status.rawSamples).toBe(7200);
    expect((await fail(app, 'retention.set', { maxBytes: 1000 })).code).toBe('invalid_input');

    const view = await call(app, 'views.save', {
      name: 'Level',
      tagIds: [tagId],
      axes: [],
      range: { kind: 'relative', minutes: 60 },
      follow: true,
    });
    expect(await call(app, 'views.list')).toEqual([view]);
    expect((await fail(app, 'views.save', { ...view, dashboardId: undefined, createdAt: undefined })).code).toBe(
      'invalid_input',
    );
    expect(await call(app, 'views.delete', { id: view.id })).toEqual({ deleted: true });
    expect((await fail(app, 'views.delete', { id: view.id })).code).toBe('not_found');
  });
});
