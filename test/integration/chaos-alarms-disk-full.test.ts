import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import type { AlarmsChanged } from '../../main/domain/alarm/alarms-changed.js';
import type { CallName, WireResult } from '../../main/contract/wire.js';
import type { CallOutput, Events } from '../../main/contract/contract.js';
import { EnvSecretStore } from '../../main/secrets/env-store.js';
import { Store } from '../../main/store/store.js';
import { GeneratorCollector } from '../helpers/generator-collector.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { holdingFloats } from '../helpers/device.js';
import { lineLogger } from '../helpers/line-logger.js';

const count = (store: Store, sql: string, ...args: number[]): number =>
  (store.database.prepare(sql).get(...args) as { n: number }).n;

/**
 * Alarms and live values while the store refuses writes. Disk full is played as in chaos-disk-full.test.ts, with
 * SQLite's page cap on the app's own connection (writes fail with SQLITE_FULL exactly as on a full disk); the last
 * pages of alarm_events are filled too, so that recording an alarm needs a page the store cannot have.
 */
describe('chaos: alarms and live values while the disk is full', () => {
  const dir = tempDir('twinedge-alarm-full-');
  let app: App | undefined;
  afterAll(async () => {
    await app?.stop();
    dir.remove();
  });

  it('a limit crossed while writes are refused raises at once, at the sample’s time; live values go on; the raise is stored when space returns, and a change still unwritten at stop is reported', async () => {
    const lines: string[] = [];
    const log = lineLogger(lines);
    let levelTag = -1;
    let level = 50;
    /** Source time of the first sample above the limit. */
    let crossedAt: number | null = null;
    app = await createApp({
      dataDir: dir.path,
      shell: 'browser',
      version: 'test',
      logger: log,
      statusIntervalMs: 100,
      demo: { enabled: false },
      secretStore: new EnvSecretStore({}),
      collectorFactory: (device, events) =>
        new GeneratorCollector(device, events, {
          stepMs: 10,
          value: (ts, tagId, k) => {
            if (tagId !== levelTag) return k;
            if (level > 80) crossedAt ??= ts;
            return level;
          },
        }),
    });
    const a = app;
    const call = async <K extends CallName>(name: K, input: unknown): Promise<CallOutput<K>> => {
      const r = (await a.router.invoke(name, input)) as WireResult<CallOutput<K>>;
      if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
      return r.value;
    };
    const device = await call('devices.save', {
      name: 'Boiler PLC',
      protocol: 'modbus',
      settings: { host: '127.0.0.1', port: 1 },
      tags: holdingFloats(['Drum level', 'Feed flow', 'Steam flow'], '%'),
    });
    levelTag = device.tags[0]!.id;
    const rule = await call('alarms.saveRule', {
      name: 'Drum level high',
      severity: 'critical',
      conditions: [{ kind: 'threshold', tagId: levelTag, operator: '>', threshold: 80 }],
    });
    const store = a.store!;
    const db = store.database;
    await waitFor(() => count(store, 'SELECT count(*) AS n FROM samples') > 600, 20_000, 'samples to be stored');

    const live: [number, number | null][] = []; // the level's [ts, value] as the live stream sends them
    const raised: AlarmsChanged['raised'] = [];
    a.events.subscribe((event, payload) => {
      if (event === 'samples.batch') {
        for (const t of (payload as Events['samples.batch']).samples) if (t[0] === levelTag) live.push([t[1], t[2]]);
      } else if (event === 'alarms.changed') raised.push(...(payload as AlarmsChanged).raised);
    });

    // "The disk fills up", to the last page of the alarm history too.
    const pages = db.pragma('page_count', { simple: true }) as number;
    const defaultCap = db.pragma('max_page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    const junk = db.prepare(
      `INSERT INTO alarm_events (ts, rule_id, rule_name, severity, kind, from_state, to_state, actor)
       VALUES (0, -1, 'filler', 'info', 'raised', 'normal', 'active-unacked', 'test')`,
    );
    let filled = false;
    for (let i = 0; i < 100_000 && !filled; i++) {
      try {
        junk.run();
      } catch (err) {
        expect((err as { code?: string }).code).toBe('SQLITE_FULL');
        filled = true;
      }
    }
    expect(filled).toBe(true);
    await waitFor(() => a.status().storeError !== null, 20_000, 'the store to refuse writes');
    expect(a.status().storeError).toMatch(/cannot grow: the disk is full while storing samples/);
    const storedWhenFull = count(store, 'SELECT count(*) AS n FROM samples');
    const liveWhenFull = live.length;

    // The limit is crossed while nothing can be written.
    level = 90;
    await waitFor(
      async () => (await call('alarms.active', {})).some((x) => x.ruleId === rule.id),
      10_000,
      'the alarm to be raised while the disk is full',
    );
    const [active] = await call('alarms.active', {});
    expect(crossedAt).not.toBeNull();
    expect(active).toMatchObject({ ruleId: rule.id, state: 'active-unacked', activeSince: crossedAt, value: 90 });
    await waitFor(() => raised.some((r) => r.ruleId === rule.id), 5_000, 'the raised event (notifications)');
    expect(raised.find((r) => r.ruleId === rule.id)).toMatchObject({ at: crossedAt, value: 90, shelved: false });
    // Live values keep coming, the new level among them, while the store still refuses every write.
    await waitFor(
      () => live.slice(liveWhenFull).some(([ts, v]) => v === 90 && ts > crossedAt!),
      5_000,
      'live values of the level while the disk is full',
    );
    expect(a.status().storeError).not.toBeNull();
    expect(count(store, 'SELECT count(*) AS n FROM samples')).toBe(storedWhenFull);
    // The alarm's record is held, not lost and not silent.
    expect(count(store, 'SELECT count(*) AS n FROM alarm_events WHERE rule_id = ?', rule.id)).toBe(0);
    expect(a.alarms?.unsavedChanges).toBe(1);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ERROR Alarm history is not being recorded: The data store .*twinedge\.sqlite cannot grow: the disk is full while recording alarm history\. Alarms are still raised and shown/,
      ),
    );

    // "Space returns": the held raise is written with the sample's time and value.
    db.pragma(`max_page_count = ${defaultCap}`);
    await waitFor(
      () => count(store, 'SELECT count(*) AS n FROM alarm_events WHERE rule_id = ?', rule.id) === 1,
      10_000,
      'the held raise to be stored',
    );
    expect(await call('alarms.history', { ruleId: rule.id })).toMatchObject([
      { kind: 'raised', ts: crossedAt, value: 90, from: 'normal', to: 'active-unacked' },
    ]);
    expect(lines).toContain('INFO Alarm history is being recorded again: 1 held change(s) written.');
    await waitFor(() => a.status().storeError === null, 20_000, 'sample writes to resume');

    // Full again, the level falls back, and the app stops before space returns: the clear is reported lost.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    for (let i = 0; i < 100_000; i++) {
      try {
        junk.run();
      } catch {
        break;
      }
    }
    level = 50;
    await waitFor(
      async () => (await call('alarms.active', {})).every((x) => x.state !== 'active-unacked'),
      10_000,
      'the alarm to clear while the disk is full',
    );
    expect(a.alarms?.unsavedChanges).toBe(1);
    await a.stop();
    expect(lines).toContainEqual(
      expect.stringMatching(/^ERROR Stopping: 1 alarm change\(s\) could not be written to the store and are lost \(/),
    );
    const reopened = Store.open(store.path);
    try {
      expect(reopened.alarms.events({ ruleId: rule.id, limit: 10 }).map((e) => e.kind)).toEqual(['raised']);
    } finally {
      reopened.close();
    }
  }, 90_000);
});
