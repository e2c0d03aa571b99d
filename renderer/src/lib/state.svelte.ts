import { SvelteMap } from 'svelte/reactivity';
import type { AppInfo } from '../../../main/domain/app/app-info';
import type { AppStatus } from '../../../main/domain/app/app-status';
import type { DeviceState } from '../../../main/domain/device/device-state';
import type { DeviceView, TagInfo } from '../../../main/domain/device/device-view';
import type { SampleTuple } from '../../../main/domain/sample/sample-tuple';
import type { TwinEdgeApi } from '../../../main/contract/contract';
import type { UiSettings } from '../../../main/domain/app/ui-settings';
import type { SyncStatus } from '../../../main/domain/sync/sync-status';
import type { AlarmCounts } from '../../../main/domain/alarm/alarm-counts';
import type { AlarmsChanged } from '../../../main/domain/alarm/alarms-changed';
import { alarmsToNotify, showAlarmNotifications } from './alarm-notify';
import { ApiError, errorText } from './api';
import type { ConnectionState, WsBridge } from './bridge-ws';
import { SampleRing } from './ring';

export interface Latest {
  ts: number;
  value: number | null;
  quality: number;
  /** String tags: the text (value is null). */
  text?: string;
}

const latestOf = (s: SampleTuple): Latest =>
  s.length === 5 ? { ts: s[1], value: s[2], quality: s[3], text: s[4] } : { ts: s[1], value: s[2], quality: s[3] };

/** Tag ids per samples.latest call (the contract accepts at most 1000). */
export const LATEST_PER_CALL = 1000;

export interface Notice {
  id: number;
  text: string;
  at: number;
}

/**
 * The renderer's shared state: what the service told us (info, status, devices, tags, settings)
 * and the live values fed by `samples.batch`. Views read it; only this module talks to events.
 */
export class AppState {
  info = $state<AppInfo | null>(null);
  status = $state<AppStatus | null>(null);
  devices = $state.raw<DeviceView[]>([]);
  tags = $state.raw<TagInfo[]>([]);
  settings = $state<UiSettings | null>(null);
  connection = $state<ConnectionState>({ kind: 'open' });
  /** Problems the user must see (failed loads, failed saves of settings). */
  notices = $state<Notice[]>([]);
  loaded = $state(false);
  /** Cloud sync status (initially from sync.status, then from every sync.changed event). */
  sync = $state.raw<SyncStatus | null>(null);
  /** Why the sync status could not be loaded (shown by the cloud views and the status bar). */
  syncError = $state<string | null>(null);
  /** Alarm counts for the banner (from alarms.counts, then every alarms.changed event). */
  alarmCounts = $state.raw<AlarmCounts | null>(null);
  /** Why the alarm counts could not be loaded (the banner says so). */
  alarmError = $state<string | null>(null);
  /** Bumped on every alarms.changed so the alarm lists fetch again. */
  alarmsVersion = $state(0);
  /** Bumped on every serverAlarms.changed (OPC UA servers' own alarms and events). */
  serverAlarmsVersion = $state(0);
  /** Set by a view that sends the user to Devices to add a device (the first screen's intro); Devices takes it. */
  addDeviceRequest = $state<'opcua' | 'modbus' | null>(null);

  /** Latest sample per tag id. */
  readonly latest = new SvelteMap<number, Latest>();
  /** Columnar history of live samples per tag, for the chart (not reactive: the chart polls per frame). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- deliberately not reactive
  readonly rings = new Map<number, SampleRing>();
  /** Bumped on every samples.batch so the chart knows to redraw. */
  liveVersion = $state(0);

  /** Device state by device id: the latest status event wins over the device list. */
  readonly deviceStates: ReadonlyMap<number, DeviceState> = $derived(
    new SvelteMap<number, DeviceState>([
      ...this.devices.map((d): [number, DeviceState] => [d.id, d.state]),
      ...(this.status?.devices ?? []).map((s): [number, DeviceState] => [s.deviceId, s]),
    ]),
  );
  readonly tagsById: ReadonlyMap<number, TagInfo> = $derived(new SvelteMap(this.tags.map((t) => [t.id, t])));
  readonly deviceNames: ReadonlyMap<number, string> = $derived(
    new SvelteMap(this.devices.map((d) => [d.id, d.config.name])),
  );

  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping only, not shown
  private readonly notified = new Set<string>();
  private noticeId = 1;
  private unsubs: (() => void)[] = [];

  constructor(
    readonly api: TwinEdgeApi,
    ws: WsBridge | null,
  ) {
    this.unsubs.push(
      api.on('samples.batch', (p) => this.ingest(p.samples)),
      api.on('status.changed', (s) => {
        this.status = s;
      }),
      api.on('devices.changed', () => {
        void this.refreshDevices();
      }),
      api.on('sync.changed', (s) => this.setSync(s)),
      api.on('alarms.changed', (e) => this.onAlarms(e)),
      api.on('serverAlarms.changed', () => this.serverAlarmsVersion++),
      api.on('settings.changed', (s) => {
        this.settings = s;
        // The demo plant starts or stops with a settings change: its state (and why it failed) is in app.info.
        void this.api['app.info']({}).then(
          (v) => (this.info = v),
          () => undefined,
        );
      }),
    );
    if (ws) {
      let wasLost = false;
      this.unsubs.push(
        ws.onConnection((c) => {
          this.connection = c;
          if (c.kind === 'lost') wasLost = true;
          if (c.kind === 'open' && wasLost) {
            wasLost = false;
            // Events were missed while away: fetch everything again.
            void this.load();
          }
        }),
      );
    }
  }

  notify(text: string): void {
    // The same problem twice is one notice (with the newer time).
    const others = this.notices.filter((n) => n.text !== text);
    this.notices = [...others, { id: this.noticeId++, text, at: Date.now() }].slice(-5);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  async load(): Promise<void> {
    // Not awaited with the rest: a failure is shown by the cloud views, and the trend start-up does not wait for it.
    void this.loadSync();
    void this.loadAlarmCounts();
    const results = await Promise.allSettled([
      this.api['app.info']({}).then((v) => (this.info = v)),
      this.api['status.get']({}).then((v) => (this.status = v)),
      this.api['settings.get']({}).then((v) => (this.settings = v)),
      this.refreshDevices(true),
    ]);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    // While the connection is down the banner says so, and everything is loaded again on reconnect.
    const transportOnly = failures.every((f) => f.reason instanceof ApiError && f.reason.code === 'unavailable');
    if (failures.length > 0 && !(transportOnly && this.connection.kind !== 'open')) {
      const texts = failures.map((f) => errorText(f.reason));
      const reasons = texts.filter((t, i) => texts.indexOf(t) === i).join('; ');
      this.notify(`Could not load from the TwinEdge service: ${reasons}`);
    } else if (failures.length === 0) {
      this.notices = this.notices.filter((n) => !n.text.startsWith('Could not load from the TwinEdge service'));
    }
    this.loaded = true;
    if (this.settings && this.settings.trendTagIds.length > 0) await this.fetchLatest(this.settings.trendTagIds);
  }

  /** Loads the sync status; a failure is kept in syncError (the cloud views say why), never thrown. */
  async loadSync(): Promise<void> {
    try {
      this.setSync(await this.api['sync.status']({}));
    } catch (err) {
      this.syncError = `Cloud sync status not available: ${errorText(err)}`;
    }
  }

  /** Loads the alarm counts; a failure is kept in alarmError (the banner says why), never thrown. */
  async loadAlarmCounts(): Promise<void> {
    try {
      this.alarmCounts = await this.api['alarms.counts']({});
      this.alarmError = null;
    } catch (err) {
      this.alarmError = errorText(err);
    }
  }

  private onAlarms(e: AlarmsChanged): void {
    this.alarmCounts = e.counts;
    this.alarmError = null;
    this.alarmsVersion++;
    showAlarmNotifications(alarmsToNotify(e.raised, this.notified));
  }

  /** Every call that changes sync settings answers with the new status: it goes through here too. */
  setSync(s: SyncStatus): void {
    this.sync = s;
    this.syncError = null;
  }

  async refreshDevices(throwOnError = false): Promise<void> {
    try {
      const [devices, tags] = await Promise.all([this.api['devices.list']({}), this.api['tags.list']({})]);
      this.devices = devices;
      this.tags = tags;
    } catch (err) {
      if (throwOnError) throw err;
      this.notify(`Could not refresh the device list: ${errorText(err)}`);
    }
  }

  /** Reads the stored latest value of these tags (in calls of at most LATEST_PER_CALL ids, the contract's limit). */
  async fetchLatest(tagIds: number[]): Promise<void> {
    if (tagIds.length === 0) return;
    try {
      const calls = [];
      for (let i = 0; i < tagIds.length; i += LATEST_PER_CALL)
        calls.push(this.api['samples.latest']({ tagIds: tagIds.slice(i, i + LATEST_PER_CALL) }));
      const samples = (await Promise.all(calls)).flat();
      // Only fill in what live events have not already brought.
      for (const sample of samples) {
        const [tagId, ts] = sample;
        const cur = this.latest.get(tagId);
        if (!cur || cur.ts < ts) this.latest.set(tagId, latestOf(sample));
      }
    } catch (err) {
      this.notify(`Could not read current values: ${errorText(err)}`);
    }
  }

  async updateSettings(patch: Partial<UiSettings>): Promise<void> {
    try {
      this.settings = await this.api['settings.update'](patch);
    } catch (err) {
      this.notify(`Could not save the settings: ${errorText(err)}`);
    }
  }

  ring(tagId: number): SampleRing {
    let r = this.rings.get(tagId);
    if (!r) this.rings.set(tagId, (r = new SampleRing()));
    return r;
  }

  private ingest(samples: SampleTuple[]): void {
    const newest: Record<number, Latest> = {};
    for (const sample of samples) {
      const [tagId, ts, value, quality] = sample;
      this.ring(tagId).push(ts, value, quality);
      const n = newest[tagId];
      if (!n || n.ts <= ts) newest[tagId] = latestOf(sample);
    }
    for (const [key, s] of Object.entries(newest)) {
      const tagId = Number(key);
      const cur = this.latest.get(tagId);
      if (!cur || cur.ts <= s.ts) this.latest.set(tagId, s);
    }
    this.liveVersion++;
  }

  destroy(): void {
    for (const u of this.unsubs) u();
  }
}
