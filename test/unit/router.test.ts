import { describe, expect, it } from 'vitest';
import { createRouter, type Handlers } from '../../main/contract/router.js';
import { AppError } from '../../main/domain/errors/app-error.js';
import { callNames } from '../../main/contract/wire.js';

const unexpected = (): never => {
  throw new Error('handler must not run for invalid input');
};

const handlers = (overrides: Partial<Handlers> = {}): Handlers =>
  Object.assign(Object.fromEntries(callNames.map((n) => [n, unexpected])) as unknown as Handlers, overrides);

describe('contract router', () => {
  it('refuses an unknown call with a typed error', async () => {
    const r = await createRouter(handlers()).invoke('devices.format', {});
    expect(r).toEqual({ ok: false, error: { code: 'unknown_call', message: 'Unknown call "devices.format"' } });
  });

  it('refuses non-string call names, including prototype keys', async () => {
    const router = createRouter(handlers());
    for (const name of [42, null, '__proto__', 'constructor', 'toString']) {
      const r = await router.invoke(name, {});
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('unknown_call');
    }
  });

  it('answers a call name that cannot even be turned into text (a client sent {"toString": 1})', async () => {
    const router = createRouter(handlers());
    for (const name of [{ toString: 1 }, { toString: 'x', valueOf: 'y' }, Object.create(null) as object, Symbol('x')]) {
      const r = await router.invoke(name, {});
      expect(r).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    }
  });

  it('answers with a typed error even when validation itself throws', async () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
        ownKeys: () => {
          throw new Error('trap');
        },
      },
    );
    const r = await createRouter(handlers()).invoke('settings.update', hostile);
    expect(r.ok).toBe(false);
  });

  it('answers invalid input with the path of each bad field, without running the handler', async () => {
    const router = createRouter(handlers());
    const r = await router.invoke('devices.save', {
      name: 'Boiler PLC',
      protocol: 'modbus',
      settings: { host: 'plc-1', port: 70000 },
      tags: [{ name: 'Steam', area: 'holding', address: -1 }],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid_input');
    const paths = r.error.fields?.map((f) => f.path);
    expect(paths).toContain('settings.port');
    expect(paths).toContain('tags.0.address');
    expect(r.error.message).toMatch(/settings\.port/);
  });

  it('rejects unknown keys on strict inputs', async () => {
    const r = await createRouter(handlers()).invoke('settings.update', { trendTagIds: [1], evil: true });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('invalid_input');
  });

  it('passes parsed input (defaults filled) to the handler and wraps its value', async () => {
    let seen: unknown;
    const router = createRouter(
      handlers({
        'samples.history': (q) => {
          seen = q;
          return [];
        },
      }),
    );
    const r = await router.invoke('samples.history', { tagIds: [3], from: 10, to: 20 });
    expect(r).toEqual({ ok: true, value: [] });
    expect(seen).toEqual({ tagIds: [3], from: 10, to: 20, maxPoints: 2000 });
  });

  it('keeps an AppError code and fields, and hides nothing of its message', async () => {
    const router = createRouter(
      handlers({
        'devices.delete': () => {
          throw new AppError('not_found', 'Device 9 does not exist.');
        },
      }),
    );
    expect(await router.invoke('devices.delete', { id: 9 })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'Device 9 does not exist.' },
    });
  });

  it('turns an unexpected exception into an internal error with a reference; its text goes only to the report', async () => {
    const reported: { name: string; message: string; ref: string }[] = [];
    const router = createRouter(
      handlers({
        'tags.list': () => {
          throw new TypeError('boom at /home/engineer/.config/twinedge/store.sqlite');
        },
      }),
      (name, err, ref) => reported.push({ name, message: (err as Error).message, ref }),
    );
    const r = await router.invoke('tags.list', {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('internal');
    expect(r.error.message).not.toContain('boom');
    expect(r.error.message).not.toContain('/home/engineer');
    expect(reported).toHaveLength(1);
    expect(reported[0]?.name).toBe('tags.list');
    expect(reported[0]?.message).toContain('boom');
    expect(reported[0]?.ref).toMatch(/^[0-9a-f]{8}$/);
    expect(r.error.message).toContain(`reference ${reported[0]?.ref ?? '?'}`);
    // Each failure gets its own reference.
    await router.invoke('tags.list', {});
    expect(reported[1]?.ref).not.toBe(reported[0]?.ref);
  });
});
