import { randomUUID } from 'node:crypto';
import { DeviceBody, type Device } from '../../../main/sync/api/model.js';
import { ApiError, notFound, parseBody } from './api-error.js';
import { paginate, pageParams } from './pagination.js';
import { ok, type Answer, type Ctx, type Route } from './route.js';
import { iso } from './state.js';

/** Names are unique per account (our documented choice), so a re-run of "create" cannot make twins. */
const assertNameFree = (ctx: Ctx, name: string, selfId?: string): void => {
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

const create = (ctx: Ctx): Answer => {
  const body = parseBody(DeviceBody, ctx.body);
  assertNameFree(ctx, body.name);
  const now = iso(ctx.now);
  const device: Device = { ...body, id: `dev-${randomUUID()}`, status: 'unknown', created_at: now, updated_at: now };
  return ok({ data: ctx.state.devices.put(device) }, 201);
};

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
    handler: (ctx) => ok(paginate(ctx.state.devices.all(), pageParams(ctx.query))),
  },
  { method: 'POST', template: '/devices', scope: 'write:assets', handler: create },
  { method: 'GET', template: '/devices/{id}', scope: 'read:assets', handler: (ctx) => ok({ data: find(ctx) }) },
  { method: 'PUT', template: '/devices/{id}', scope: 'write:assets', handler: update },
  { method: 'DELETE', template: '/devices/{id}', scope: 'write:assets', handler: remove },
];
