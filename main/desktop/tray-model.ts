import type { AlarmCounts } from '../domain/alarm/alarm-counts.js';
import type { AppStatus } from '../domain/app/app-status.js';
import type { UiSettings } from '../domain/app/ui-settings.js';
import type { SyncStatus } from '../domain/sync/sync-status.js';

/**
 * What the tray shows, as plain data: the Electron glue (tray.ts) only turns it into a Tray and a Menu.
 * Kept free of Electron so every wording and state rule is tested under Node.
 */

export type TrayIconState = 'ok' | 'warn' | 'error';

export type DesktopToggle = 'startAtLogin' | 'startMinimised' | 'closeToTray';

export type TrayMenuItem =
  | { kind: 'action'; id: 'open' | 'quit' | 'pauseSync' | 'resumeSync'; label: string }
  | { kind: 'info'; label: string }
  | { kind: 'toggle'; id: DesktopToggle; label: string; checked: boolean }
  | { kind: 'separator' };

export interface TrayInput {
  status: AppStatus | null;
  sync: SyncStatus | null;
  alarms: AlarmCounts | null;
  settings: Pick<UiSettings, DesktopToggle> | null;
}

export interface TrayModel {
  icon: TrayIconState;
  /** At most 127 characters: Windows cuts longer tooltips. */
  tooltip: string;
  menu: TrayMenuItem[];
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export const devicesSummary = (status: AppStatus | null): { text: string; state: TrayIconState } => {
  if (!status) return { text: 'Starting…', state: 'warn' };
  if (status.storeError) return { text: 'Data store problem: samples are not recorded', state: 'error' };
  const devices = status.devices.filter((d) => d.state !== 'disabled');
  if (devices.length === 0) return { text: 'No devices collecting', state: 'ok' };
  const inError = devices.filter((d) => d.state === 'error').length;
  const degraded = devices.filter((d) => d.state === 'degraded' || d.state === 'connecting').length;
  const ok = devices.length - inError - degraded;
  const parts = [`${ok} of ${plural(devices.length, 'device')} ok`];
  if (inError > 0) parts.push(`${inError} in error`);
  if (degraded > 0) parts.push(`${degraded} connecting or degraded`);
  return { text: parts.join(', '), state: inError > 0 ? 'error' : degraded > 0 ? 'warn' : 'ok' };
};

const syncWords: Record<SyncStatus['state'], string> = {
  off: 'off',
  paused: 'paused',
  online: 'online',
  connecting: 'connecting',
  offline: 'offline (buffering)',
  unauthorized: 'API key refused',
  throttled: 'waiting for the rate limit',
  problem: 'needs attention (TwinEdge answered with a problem)',
};

export const syncSummary = (sync: SyncStatus | null): { text: string; state: TrayIconState } => {
  if (!sync) return { text: 'Cloud sync: unknown', state: 'ok' };
  const backlog =
    sync.backlog.samples > 0 && sync.state !== 'off' ? `, ${plural(sync.backlog.samples, 'sample')} waiting` : '';
  return {
    text: `Cloud sync ${syncWords[sync.state]}${backlog}`,
    state:
      sync.state === 'unauthorized' ? 'error' : sync.state === 'offline' || sync.state === 'problem' ? 'warn' : 'ok',
  };
};

export const alarmsSummary = (alarms: AlarmCounts | null): { text: string; state: TrayIconState } => {
  if (!alarms) return { text: 'Alarms: unknown', state: 'ok' };
  const { critical, warning, info } = alarms.bySeverity;
  const total = critical + warning + info;
  if (total === 0) return { text: 'No active alarms', state: 'ok' };
  const detail = [
    critical > 0 ? `${critical} critical` : '',
    warning > 0 ? `${warning} warning` : '',
    info > 0 ? `${info} info` : '',
  ].filter(Boolean);
  return {
    text: `${plural(total, 'active alarm')} (${detail.join(', ')})`,
    state: critical > 0 ? 'error' : 'warn',
  };
};

/**
 * Pausing uploads from the tray: for a metered or shared plant link, without opening the app. Offered only
 * when there is something to pause (a key is set) or to resume; samples are buffered either way.
 */
const syncAction = (sync: SyncStatus | null): TrayMenuItem[] => {
  if (!sync || (sync.state === 'off' && !sync.paused)) return [];
  return sync.paused
    ? [{ kind: 'action', id: 'resumeSync', label: 'Resume cloud sync' }]
    : [{ kind: 'action', id: 'pauseSync', label: 'Pause cloud sync (keep buffering)' }];
};

const worst = (states: readonly TrayIconState[]): TrayIconState =>
  states.includes('error') ? 'error' : states.includes('warn') ? 'warn' : 'ok';

export const trayModel = (input: TrayInput): TrayModel => {
  const devices = devicesSummary(input.status);
  const sync = syncSummary(input.sync);
  const alarms = alarmsSummary(input.alarms);
  const config = input.status?.configError ? 'Config file invalid: last good settings in use' : null;
  const icon = worst([devices.state, sync.state, alarms.state, config ? 'warn' : 'ok']);
  const lines = ['TwinEdge Desktop', devices.text, alarms.text, sync.text];
  let tooltip = lines.join('\n');
  if (tooltip.length > 127) tooltip = `${tooltip.slice(0, 126)}…`;
  const settings = input.settings ?? { startAtLogin: false, startMinimised: false, closeToTray: false };
  return {
    icon,
    tooltip,
    menu: [
      { kind: 'action', id: 'open', label: 'Open TwinEdge' },
      { kind: 'separator' },
      { kind: 'info', label: devices.text },
      { kind: 'info', label: sync.text },
      { kind: 'info', label: alarms.text },
      ...(config ? [{ kind: 'info' as const, label: config }] : []),
      ...syncAction(input.sync),
      { kind: 'separator' },
      { kind: 'toggle', id: 'startAtLogin', label: 'Start at login', checked: settings.startAtLogin },
      { kind: 'toggle', id: 'startMinimised', label: 'Start minimised', checked: settings.startMinimised },
      {
        kind: 'toggle',
        id: 'closeToTray',
        label: 'Keep running in the tray when closed',
        checked: settings.closeToTray,
      },
      { kind: 'separator' },
      { kind: 'action', id: 'quit', label: 'Quit TwinEdge' },
    ],
  };
};

/** Whether this launch keeps the window hidden: the setting, or the --minimised flag a login launch carries. */
export const startHidden = (o: { settings: Pick<UiSettings, 'startMinimised'>; argv: readonly string[] }): boolean =>
  o.settings.startMinimised || o.argv.includes('--minimised');
