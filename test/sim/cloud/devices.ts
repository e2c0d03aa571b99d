import { DeviceBody, type Device } from '../../../main/sync/api/model.js';
import { ApiError, notFound, parseBody } from './api-error.js';
import { idempotent } from './idempotency.js';
import { paginate, pageParams } from './pagination.js';
import { ok, type Answer, type Ctx, type Route } from './route.js';
import { iso, type SimState } from './state.js';

/**
 * Names are unique per account (our documented choice), so a re-run of "create" cannot make twins. A dialect
 * without that rule (minimal) lets twins happen: that is what makes a client's duplicate-device bug visible.
 */
const assertNameFree = (ctx: Ctx, name: string, selfId?: string): void => {
  if (!ctx.state.dialect.uniqueDeviceNames) return;
  const existing = ctx.state.devices.all().find((d) => d.name === name && d.id !== selfId);
  if (existing) {
    throw new ApiError(409, 'CONFLICT', `A device named '${name}' already exists`, { existing_id: existing.id });
  }
};

const find = (ctx: Ctx): Device => {
  const id = ctx.params.id ?? '';
  const device = ctx.state.devices.get(id);
  if (!device) throw notFound('Device', id);
  return device;
};

/** Stores a new device as the simulator keeps it (ours' shape; a dialect renders it on the way out). */
export const insertDevice = (state: SimState, body: DeviceBody, nowMs: number): Device => {
  const now = iso(nowMs);
  return state.devices.put({
    ...body,
    id: state.ids.next('device'),
    status: 'unknown',
    created_at: now,
    updated_at: now,
  });
};

const createOnce = (ctx: Ctx): Answer => {
  const body = parseBody(DeviceBody, ctx.body);
  assertNameFree(ctx, body.name);
  const device = insertDevice(ctx.state, body, ctx.now);
  ctx.state.counters.devicesCreated++;
  return ok({ data: device }, 201);
};

/** Ours honours Idempotency-Key as ingest does, so a retried create after a lost answer makes no second device. */
const create = (ctx: Ctx): Answer =>
  ctx.state.dialect.deviceIdempotency ? idempotent(ctx, () => createOnce(ctx)) : createOnce(ctx);

const update = (ctx: Ctx): Answer => {
  const current = find(ctx);
  const body = parseBody(DeviceBody, ctx.body);
  assertNameFree(ctx, body.name, current.id);
  const device: Device = {
    ...body,
    id: current.id,
    status: current.status,
    created_at: current.created_at,
    updated_at: iso(ctx.now),
  };
  return ok({ data: ctx.state.devices.put(device) });
};

const remove = (ctx: Ctx): Answer => {
  const device = find(ctx);
  ctx.state.devices.delete(device.id);
  return ok({ data: { id: device.id, deleted: true } });
};

export const deviceRoutes: Route[] = [
  {
    method: 'GET',
    template: '/devices',
    scope: 'read:assets',
    holds: 'device',
    handler: (ctx) => ok(paginate(ctx.state.devices.all(), pageParams(ctx.query))),
  },
  { method: 'POST', template: '/devices', scope: 'write:assets', holds: 'device', handler: create },
  {
    method: 'GET',
    template: '/devices/{id}',
    scope: 'read:assets',
    holds: 'device',
    handler: (ctx) => ok({ data: find(ctx) }),
  },
  { method: 'PUT', template: '/devices/{id}', scope: 'write:assets', holds: 'device', handler: update },
  { method: 'DELETE', template: '/devices/{id}', scope: 'write:assets', holds: 'deletion', handler: remove },
];
