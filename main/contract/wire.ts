import type { ErrorCode } from '../domain/errors/error-code.js';
import type { FieldProblem } from '../domain/errors/field-problem.js';

/**
 * What crosses between the renderer and main, without zod or any schema: the call and event names, the result
 * envelope, the IPC channels and the browser-mode WebSocket messages. The preload and the WebSocket client import
 * only this module, so neither bundles a validator; `contract.ts` checks at compile time that its call map has
 * exactly these names.
 */

export const callNames = [
  'app.info',
  'status.get',
  'devices.list',
  'devices.save',
  'devices.delete',
  'tags.list',
  'samples.latest',
  'samples.history',
  'devices.diagnostics',
  'modbus.testRead',
  'modbus.write',
  'audit.list',
  'devices.setPassword',
  'opcua.endpoints',
  'opcua.certificates',
  'opcua.certificates.trust',
  'opcua.certificates.reject',
  'opcua.browse',
  'opcua.read',
  'opcua.write',
  'settings.get',
  'settings.update',
  'sync.status',
  'sync.configure',
  'sync.setKey',
  'sync.removeKey',
  'sync.testKey',
  'sync.setPaused',
  'sync.rejections',
  'sync.resolveDevice',
  'sync.cloudDevices',
  'sync.linkDevice',
  'cloud.alerts',
  'cloud.alerts.create',
  'cloud.dashboards',
  'cloud.models',
  'cloud.predictions',
  'cloud.train',
  'cloud.trainingJob',
  'alarms.active',
  'alarms.counts',
  'alarms.acknowledge',
  'alarms.shelve',
  'alarms.unshelve',
  'alarms.history',
  'alarms.rules',
  'alarms.saveRule',
  'alarms.deleteRule',
  'alarms.preview',
  'alarms.pushRule',
  'serverAlarms.active',
  'serverAlarms.acknowledge',
  'serverAlarms.confirm',
  'serverAlarms.shelve',
  'serverEvents.list',
  'serverEvents.export',
  'history.query',
  'history.export',
  'history.predictions',
  'retention.get',
  'retention.set',
  'views.list',
  'views.save',
  'views.delete',
  'views.toDashboard',
  'views.fromDashboard',
  'logs.tail',
  'logs.setLevel',
  'storeCheck.get',
  'storeCheck.run',
] as const;

export type CallName = (typeof callNames)[number];

export const eventNames = [
  'samples.batch',
  'status.changed',
  'devices.changed',
  'sync.changed',
  'alarms.changed',
  'serverAlarms.changed',
  'settings.changed',
] as const;

export type EventName = (typeof eventNames)[number];

const callNameSet: ReadonlySet<string> = new Set(callNames);

export const isCallName = (name: unknown): name is CallName => typeof name === 'string' && callNameSet.has(name);

export interface WireError {
  code: ErrorCode;
  message: string;
  fields?: FieldProblem[];
}

export type WireResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** Channel names for Electron IPC. */
export const ipcChannels = { invoke: 'twinedge:invoke', event: 'twinedge:event' } as const;

// ---- browser-mode wire protocol (WebSocket at /ws on the serving origin) -----------------------

/** Renderer -> main. `id` pairs a call with its result. */
export interface ClientCallMessage {
  t: 'call';
  id: number;
  name: string;
  input: unknown;
}

/** Main -> renderer. */
export type ServerMessage =
  { t: 'result'; id: number; result: WireResult<unknown> } | { t: 'event'; name: EventName; payload: unknown };
