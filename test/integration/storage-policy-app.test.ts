import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import { ModbusTcpClient } from '../../main/collect/modbus/client.js';
import type { CallOutput } from '../../main/contract/contract.js';
import type { CallName } from '../../main/contract/wire.js';
import type { DeviceConfigInput } from '../../main/domain/device/device-schema.js';
import type { Sample } from '../../main/domain/sample/sample.js';
import type { SampleTuple } from '../../main/domain/sample/sample-tuple.js';
import { filterSamples } from '../../main/domain/storage/storage-filter.js';
import { resolvePolicy, StoragePolicy, type ResolvedPolicy } from '../../main/domain/storage/storage-policy.js';
import { startPyModbus, type PyModbus } from '../helpers/pymodbus.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Storage policies in the app's pipeline, against Debian's pymodbus server: a constant register stored on change
 * keeps only its max-interval samples, a register the test keeps changing keeps every change (with the sample
 * before it), a tag set to "every sample" keeps all, as before storage policies. The store is a real SQLite file,
 * read after the app stopped; what was collected is what the live feed saw.
 */

const call = async <K extends CallName>(app: App, name: K, input: unknown = {}): Promise<CallOutput<K>> => {
  const r = await app.router.invoke(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
  return r.value as CallOutput<K>;
};

const storedRows = (dataDir: string): Sample[] => {
  const db = new Database(join(dataDir, 'twinedge.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT tag_id AS tagId, ts, value, quality FROM samples ORDER BY tag_id, ts').all() as Sample[];
  } finally {
    db.close();
  }
};

const onChange = StoragePolicy.parse({ mode: 'change', maxIntervalS: 1 });
const resolved = resolvePolicy(onChange, { spanLow: null, spanHigh: null }) as ResolvedPolicy;

const device = (port: number): DeviceConfigInput => ({
  name: 'mixer 2',
  protocol: 'modbus',
  settings: { host: '127.0.0.1', port, unitId: 1, pollIntervalMs: 100, timeoutMs: 1000, storage: onChange },
  tags: [
    { name: 'every', area: 'holding', address: 8, dataType: 'int16', storage: { mode: 'every' } },
    { name: 'constant', area: 'holding', address: 9, dataType: 'uint16' },
    { name: 'changing', area: 'holding', address: 20, dataType: 'uint16' },
  ],
});

describe('storage policies in the app pipeline', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const f of cleanup.reverse()) await f();
    cleanup.length = 0;
  });

  it('stores a constant register once per max interval, every change of a changing one, all of an "every" tag', async () => {
    const peer: PyModbus = await startPyModbus();
    cleanup.push(() => peer.stop());
    const dir = tempDir();
    cleanup.push(() => dir.remove());
    const app = await createApp({ dataDir: dir.path, shell: 'browser', version: 'test', demo: { enabled: false } });
    let stopped = false;
    cleanup.push(() => (stopped ? undefined : app.stop()));
    const collected: Sample[] = [];
    app.events.subscribe((event, payload) => {
      if (event !== 'samples.batch') return;
      for (const [tagId, ts, value, quality] of (payload as { samples: SampleTuple[] }).samples) {
        collected.push({ tagId, ts, value, quality });
      }
    });

    const saved = await call(app, 'devices.save', device(peer.port));
    const id = (name: string): number => saved.tags.find((t) => t.name === name)?.id ?? -1;
    const writer = new ModbusTcpClient({ host: '127.0.0.1', port: peer.port, connectTimeoutMs: 2000 });
    cleanup.push(() => writer.close());
    await writer.connect();
    // Change the register every 350 ms for 4.5 s (several polls see each value).
    for (let v = 1; v <= 13; v++) {
      await writer.request(1, { fc: 6, address: 20, value: v }, 2000);
      await new Promise((r) => setTimeout(r, 350));
    }
    await waitFor(() => collected.filter((s) => s.tagId === id('changing')).length > 30, 10_000, 'samples');
    const lastLive = Math.max(...collected.map((s) => s.ts));
    await app.stop();
    stopped = true;

    const rows = storedRows(dir.path);
    const of = (xs: readonly Sample[], name: string, upTo = Infinity): Sample[] =>
      xs
        .filter((s) => s.tagId === id(name) && s.ts <= upTo)
        .map(({ tagId, ts, value, quality }) => ({ tagId, ts, value, quality }));
    // The live feed may miss the last fraction of a second before the stop: compare up to a second before it.
    const cut = lastLive - 1000;
    const collectedEvery = of(collected, 'every', cut);
    expect(of(rows, 'every', cut)).toEqual(collectedEvery);
    expect(collectedEvery.length).toBeGreaterThan(30);

    const constant = of(rows, 'constant', cut);
    expect(constant).toEqual(filterSamples(resolved, of(collected, 'constant')).filter((s) => s.ts <= cut));
    // One a second: from the first sample to the cut.
    const span = cut - (constant[0]?.ts ?? cut);
    expect(constant.length).toBeGreaterThanOrEqual(Math.floor(span / 1100));
    expect(constant.length).toBeLessThanOrEqual(Math.ceil(span / 1000) + 1);
    expect(constant.length).toBeLessThan(of(collected, 'constant', cut).length / 5);

    const changing = of(rows, 'changing', cut);
    const changingCollected = of(collected, 'changing', cut);
    expect(changing).toEqual(filterSamples(resolved, of(collected, 'changing')).filter((s) => s.ts <= cut));
    // Every value the register took is stored, as is the sample before each change.
    const values = (xs: readonly Sample[]): number[] => [...new Set(xs.map((s) => s.value as number))];
    expect(values(changing)).toEqual(values(changingCollected));
    expect(values(changing).length).toBeGreaterThanOrEqual(10);
    expect(changing.length).toBeLessThan(changingCollected.length);

    // At shutdown the held points were stored: every tag's last row is the last poll's.
    const last = (name: string): number => Math.max(...of(rows, name).map((s) => s.ts));
    expect(last('constant')).toBe(last('every'));
    expect(last('changing')).toBe(last('every'));
  });

  it('a policy change flushes the held points of the old one, and the new one applies from the restart', async () => {
    const peer: PyModbus = await startPyModbus();
    cleanup.push(() => peer.stop());
    const dir = tempDir();
    cleanup.push(() => dir.remove());
    const app = await createApp({ dataDir: dir.path, shell: 'browser', version: 'test', demo: { enabled: false } });
    let stopped = false;
    cleanup.push(() => (stopped ? undefined : app.stop()));
    const collected: Sample[] = [];
    app.events.subscribe((event, payload) => {
      if (event !== 'samples.batch') return;
      for (const [tagId, ts, value, quality] of (payload as { samples: SampleTuple[] }).samples) {
        collected.push({ tagId, ts, value, quality });
      }
    });
    const first = await call(app, 'devices.save', device(peer.port));
    const constantId = first.tags.find((t) => t.name === 'constant')?.id ?? -1;
    await waitFor(() => collected.filter((s) => s.tagId === constantId).length > 15, 10_000, 'samples');
    // The same device, now storing every sample.
    const edited = device(peer.port);
    await call(app, 'devices.save', {
      ...edited,
      id: first.id,
      settings: { ...edited.settings, storage: { mode: 'every' } },
    });
    const restarted = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    await app.stop();
    stopped = true;

    const rows = storedRows(dir.path).filter((s) => s.tagId === constantId);
    const mine = collected.filter((s) => s.tagId === constantId);
    const before = mine.filter((s) => s.ts < restarted);
    const after = mine.filter((s) => s.ts > restarted && s.ts < restarted + 1000);
    // Before the edit: on change (the first sample, then one a second), plus the last one held, stored at the edit.
    const storedBefore = rows.filter((s) => s.ts < restarted);
    expect(storedBefore.length).toBeLessThan(before.length / 3);
    expect(storedBefore.at(-1)?.ts).toBe(before.at(-1)?.ts);
    // After it: every sample.
    expect(rows.filter((s) => s.ts > restarted && s.ts < restarted + 1000)).toEqual(after);
    expect(after.length).toBeGreaterThan(5);
  });
});
