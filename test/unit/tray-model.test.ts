import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AlarmCounts } from '../../main/domain/alarm/alarm-counts.js';
import type { AppStatus } from '../../main/domain/app/app-status.js';
import type { DeviceState } from '../../main/domain/device/device-state.js';
import type { SyncStatus } from '../../main/domain/sync/sync-status.js';
import { trayIconPng } from '../../main/desktop/tray-icon.js';
import { startHidden, trayModel } from '../../main/desktop/tray-model.js';

const device = (deviceId: number, state: DeviceState['state']): DeviceState => ({
  deviceId,
  state,
  message: null,
  since: 0,
  samples: 0,
  requestsPerCycle: null,
});
const status = (devices: DeviceState[], extra: Partial<AppStatus> = {}): AppStatus => ({
  devices,
  samplesPerSecond: 0,
  samplesLost: null,
  storeBytes: 0,
  storeError: null,
  configError: null,
  at: 0,
  ...extra,
});
const sync = (state: SyncStatus['state'], samples = 0): SyncStatus =>
  ({ state, paused: state === 'paused', backlog: { samples } }) as unknown as SyncStatus;
const alarms = (critical: number, warning = 0, info = 0): AlarmCounts => {
  const local = { active: critical + warning + info, unacknowledged: critical + warning + info, shelved: 0 };
  const none = { active: 0, unacknowledged: 0, shelved: 0 };
  return { ...local, bySeverity: { critical, warning, info }, bySource: { local, twinedge: none, server: none } };
};
const settings = { startAtLogin: true, startMinimised: false, closeToTray: true };

describe('tray model', () => {
  it('all well: green icon, a tooltip of one line per subject, and the menu in order', () => {
    const m = trayModel({
      status: status([device(1, 'connected'), device(2, 'connected'), device(3, 'disabled')]),
      sync: sync('online'),
      alarms: alarms(0),
      settings,
    });
    expect(m.icon).toBe('ok');
    expect(m.tooltip).toBe('TwinEdge Desktop\n2 of 2 devices ok\nNo active alarms\nCloud sync online');
    expect(m.menu).toEqual([
      { kind: 'action', id: 'open', label: 'Open TwinEdge' },
      { kind: 'separator' },
      { kind: 'info', label: '2 of 2 devices ok' },
      { kind: 'info', label: 'Cloud sync online' },
      { kind: 'info', label: 'No active alarms' },
      { kind: 'action', id: 'pauseSync', label: 'Pause cloud sync (keep buffering)' },
      { kind: 'separator' },
      { kind: 'toggle', id: 'startAtLogin', label: 'Start at login', checked: true },
      { kind: 'toggle', id: 'startMinimised', label: 'Start minimised', checked: false },
      { kind: 'toggle', id: 'closeToTray', label: 'Keep running in the tray when closed', checked: true },
      { kind: 'separator' },
      { kind: 'action', id: 'quit', label: 'Quit TwinEdge' },
    ]);
  });

  it('offers to pause cloud sync while it runs, to resume it while paused, and neither without a key', () => {
    const actions = (s: SyncStatus | null): string[] =>
      trayModel({ status: status([]), sync: s, alarms: alarms(0), settings }).menu.flatMap((m) =>
        m.kind === 'action' && m.id !== 'open' && m.id !== 'quit' ? [`${m.id}: ${m.label}`] : [],
      );
    expect(actions(sync('online'))).toEqual(['pauseSync: Pause cloud sync (keep buffering)']);
    expect(actions(sync('offline', 40))).toEqual(['pauseSync: Pause cloud sync (keep buffering)']);
    expect(actions(sync('paused', 40))).toEqual(['resumeSync: Resume cloud sync']);
    expect(actions(sync('off'))).toEqual([]);
    expect(actions(null)).toEqual([]);
  });

  it('a device in error or a critical alarm turns it red; connecting, offline sync or warnings amber', () => {
    const base = { sync: sync('online'), alarms: alarms(0), settings };
    expect(trayModel({ ...base, status: status([device(1, 'connected'), device(2, 'error')]) })).toMatchObject({
      icon: 'error',
      menu: expect.arrayContaining([{ kind: 'info', label: '1 of 2 devices ok, 1 in error' }]) as unknown,
    });
    expect(trayModel({ ...base, status: status([device(1, 'degraded')]) }).icon).toBe('warn');
    expect(trayModel({ ...base, status: status([]), sync: sync('offline', 1200) })).toMatchObject({
      icon: 'warn',
      tooltip: expect.stringContaining('Cloud sync offline (buffering), 1200 samples waiting') as unknown,
    });
    expect(trayModel({ ...base, status: status([]), sync: sync('unauthorized') }).icon).toBe('error');
    expect(trayModel({ ...base, status: status([]), alarms: alarms(0, 2, 1) })).toMatchObject({
      icon: 'warn',
      tooltip: expect.stringContaining('3 active alarms (2 warning, 1 info)') as unknown,
    });
    expect(trayModel({ ...base, status: status([]), alarms: alarms(1) }).icon).toBe('error');
    expect(trayModel({ ...base, status: status([], { storeError: 'damaged' }) })).toMatchObject({ icon: 'error' });
  });

  it('says when the config file was refused, and before anything is known it says starting', () => {
    const m = trayModel({ status: status([], { configError: 'bad' }), sync: null, alarms: null, settings: null });
    expect(m.icon).toBe('warn');
    expect(m.menu).toContainEqual({ kind: 'info', label: 'Config file invalid: last good settings in use' });
    const empty = trayModel({ status: null, sync: null, alarms: null, settings: null });
    expect(empty.tooltip).toContain('Starting…');
    expect(empty.menu.filter((i) => i.kind === 'toggle').every((i) => i.kind === 'toggle' && !i.checked)).toBe(true);
  });

  it('keeps the tooltip within what Windows shows (127 characters)', () => {
    const many = Array.from({ length: 40 }, (_, i) => device(i + 1, i % 2 ? 'error' : 'connecting'));
    const m = trayModel({
      status: status(many),
      sync: sync('offline', 123_456_789),
      alarms: alarms(10, 20, 30),
      settings,
    });
    expect(m.tooltip.length).toBeLessThanOrEqual(127);
  });

  it('starts hidden for the setting or the --minimised flag of a login launch', () => {
    const off = { startMinimised: false };
    expect(startHidden({ settings: off, argv: ['electron', '.'] })).toBe(false);
    expect(startHidden({ settings: { startMinimised: true }, argv: [] })).toBe(true);
    expect(startHidden({ settings: off, argv: ['app', '--minimised'] })).toBe(true);
  });

  it('draws each icon state as a valid RGBA PNG with its own colour', () => {
    const pixels = (png: Buffer): Buffer => {
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
      expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([32, 32, 8, 6]);
      const idatLength = png.readUInt32BE(33);
      expect(png.subarray(37, 41).toString('ascii')).toBe('IDAT');
      return inflateSync(png.subarray(41, 41 + idatLength));
    };
    const centre = (raw: Buffer): number[] => {
      const offset = 16 * (32 * 4 + 1) + 1 + 16 * 4;
      return [...raw.subarray(offset, offset + 4)];
    };
    expect(centre(pixels(trayIconPng('ok')))).toEqual([0x2e, 0x9e, 0x5b, 255]);
    expect(centre(pixels(trayIconPng('warn')))).toEqual([0xe0, 0xa1, 0x00, 255]);
    expect(centre(pixels(trayIconPng('error')))).toEqual([0xd6, 0x45, 0x45, 255]);
    // The corners are transparent.
    expect(pixels(trayIconPng('ok'))[1 + 3]).toBe(0);
  });
});
