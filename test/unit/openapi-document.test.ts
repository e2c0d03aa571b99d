import { describe, expect, it } from 'vitest';
import * as account from '../../main/domain/cloud/account.js';
import * as alertRuleBody from '../../main/domain/cloud/alert-rule-body.js';
import * as mlModelTypes from '../../main/domain/cloud/ml-model-types.js';
import * as vendorModel from '../../main/sync/api/model.js';
import { dialects } from '../sim/cloud/index.js';
import { routes } from '../sim/cloud/router.js';
import { loadOpenApiDocument, resolvePointer, validateExchange, type Exchange } from '../helpers/openapi.js';

const model = { ...vendorModel, ...account, ...alertRuleBody, ...mlModelTypes };

const doc = loadOpenApiDocument();

type Node = unknown;
const isObject = (v: Node): v is Record<string, Node> => typeof v === 'object' && v !== null && !Array.isArray(v);

const collectRefs = (node: Node, out: string[] = []): string[] => {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n as Node, out));
  else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else collectRefs(v, out);
    }
  }
  return out;
};

const rateHeaders = {
  'x-ratelimit-limit': '60',
  'x-ratelimit-remaining': '59',
  'x-ratelimit-reset': '1704067260',
  'x-ratelimit-limit-day': '1000',
  'x-ratelimit-remaining-day': '999',
  'x-ratelimit-reset-day': '1704153600',
};

const device = {
  id: 'dev-1',
  name: 'Press 4',
  type: 'modbus',
  status: 'unknown',
  created_at: '2024-01-01T00:00:00.000Z',
  updated_at: '2024-01-01T00:00:00.000Z',
};

const goodExchange = (): Exchange => ({
  method: 'POST',
  path: '/v1/devices',
  query: {},
  requestHeaders: { authorization: 'Bearer k', 'content-type': 'application/json' },
  requestBody: { name: 'Press 4', type: 'modbus' },
  status: 201,
  responseHeaders: { ...rateHeaders, 'content-type': 'application/json' },
  responseBody: { data: device },
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.0 with resolvable refs and responses on every operation', () => {
    expect(doc.openapi).toMatch(/^3\.0\.\d+$/);
    const unresolved = collectRefs(doc).filter((ref) => resolvePointer(doc as never, ref) === undefined);
    expect(unresolved).toEqual([]);
    const paths = doc.paths as Record<string, Record<string, Node>>;
    let operations = 0;
    for (const [path, item] of Object.entries(paths)) {
      for (const method of ['get', 'post', 'put', 'delete']) {
        const op = item[method];
        if (!isObject(op)) continue;
        operations++;
        expect(isObject(op.responses) && Object.keys(op.responses).length > 0, `${method} ${path}`).toBe(true);
        // Every operation records the scope it needs (bearer schemes carry no scopes in OpenAPI 3.0).
        expect(typeof op['x-twinedge-scope'], `${method} ${path} scope`).toBe('string');
      }
    }
    expect(operations).toBe(21);
  });

  it('names every dialect of the simulator, and marks only those (and the client) where answers may differ', () => {
    const info = doc.info as Record<string, Node>;
    expect(Object.keys(info['x-twinedge-dialects'] as Record<string, Node>).sort()).toEqual([...dialects].sort());
    const marks: string[][] = [];
    const walk = (node: Node): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (isObject(node)) {
        for (const [k, v] of Object.entries(node)) {
          if (k === 'x-twinedge-dialects' && node !== info && isObject(v)) marks.push(Object.keys(v));
          else walk(v);
        }
      }
    };
    walk(doc);
    // The parts another reading answers differently: key info, both ingest routes, device create, Device, errors.
    expect(marks.length).toBeGreaterThanOrEqual(6);
    const allowed = new Set<string>([...dialects, 'client']);
    expect(marks.flat().filter((k) => !allowed.has(k))).toEqual([]);
    // Each mark says what the client does about it.
    expect(marks.every((m) => m.includes('client'))).toBe(true);
  });

  it('covers every endpoint of the reference and our additions', () => {
    const paths = doc.paths as Record<string, Record<string, Node>>;
    const ops = Object.entries(paths).flatMap(([p, item]) =>
      Object.keys(item)
        .filter((m) => m !== 'parameters')
        .map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(ops.sort()).toEqual(
      [
        'GET /auth/key',
        'GET /telemetry',
        'POST /telemetry',
        'POST /telemetry/ingest',
        'GET /telemetry/latest',
        'GET /devices',
        'POST /devices',
        'GET /devices/{id}',
        'PUT /devices/{id}',
        'DELETE /devices/{id}',
        'GET /dashboards',
        'POST /dashboards',
        'GET /dashboards/{id}',
        'PUT /dashboards/{id}',
        'GET /alerts',
        'POST /alerts',
        'GET /alerts/events',
        'GET /ml/models',
        'POST /ml/training',
        'GET /ml/training/{id}',
        'GET /ml/predictions',
      ].sort(),
    );
  });

  it('has schemas with the same fields as model.ts', () => {
    const schemas = (doc.components as Record<string, Record<string, Record<string, Node>>>).schemas!;
    const pairs: [string, { shape: Record<string, unknown> }][] = [
      ['Device', model.Device],
      ['DeviceBody', model.DeviceBody],
      ['AlertRule', model.AlertRule],
      ['AlertRuleBody', model.AlertRuleBody],
      ['AlertCondition', model.AlertCondition],
      ['AlertEvent', model.AlertEvent],
      ['Dashboard', model.Dashboard],
      ['DashboardBody', model.DashboardBody],
      ['DashboardWidget', model.DashboardWidget],
      ['MlModel', model.MlModel],
      ['TrainingBody', model.TrainingBody],
      ['TrainingJob', model.TrainingJob],
      ['Prediction', model.Prediction],
      ['TelemetryRow', model.TelemetryRow],
      ['TelemetryPoint', model.TelemetryPoint],
      ['KeyInfo', model.KeyInfo],
      ['PageMeta', model.PageMeta],
      ['IngestResult', model.IngestResult],
      ['PointRejection', model.PointRejection],
      ['FieldError', model.FieldError],
    ];
    for (const [name, zodObject] of pairs) {
      const props = Object.keys(schemas[name]?.properties ?? {}).sort();
      expect(props, name).toEqual(Object.keys(zodObject.shape).sort());
    }
    const enumOf = (name: string): unknown => schemas[name]?.enum;
    expect(enumOf('Scope')).toEqual([...model.scopes]);
    expect(enumOf('Severity')).toEqual([...model.severities]);
    expect(enumOf('TelemetryQuality')).toEqual([...model.telemetryQualities]);
    expect(enumOf('ModelType')).toEqual([...model.modelTypes]);
  });

  it('documents the limits model.ts records', () => {
    const params = (doc.components as Record<string, Record<string, Record<string, Record<string, Node>>>>).parameters!;
    expect(params.PerPage!.schema!.maximum).toBe(model.perPage.max);
    expect(params.PerPage!.schema!.default).toBe(model.perPage.default);
    const ingest = (doc.paths as Record<string, Record<string, Record<string, Node>>>)['/telemetry/ingest']!.post!;
    expect(String(ingest['x-twinedge-choice'])).toContain(String(model.ingestLimits.maxPoints));
    expect(model.ingestLimits.maxBodyBytes).toBe(2 * 1024 * 1024);
  });
});

describe('the simulator against the document', () => {
  it('serves exactly the documented operations, each with the documented scope', () => {
    const paths = doc.paths as Record<string, Record<string, Record<string, Node>>>;
    const documented = Object.entries(paths).flatMap(([p, item]) =>
      Object.entries(item)
        .filter(([m]) => m !== 'parameters')
        .map(([m, op]) => `${m.toUpperCase()} ${p} ${String(op['x-twinedge-scope'] as string)}`),
    );
    const served = routes.map((r) => `${r.method} ${r.template} ${r.scope ?? 'none'}`);
    expect(served.sort()).toEqual(documented.sort());
  });
});

describe('validateExchange', () => {
  it('passes a known-good exchange, with or without the /v1 prefix', () => {
    expect(validateExchange(goodExchange())).toEqual([]);
    expect(validateExchange({ ...goodExchange(), path: '/devices' })).toEqual([]);
  });

  it('accepts null where the document says nullable and an error envelope with field details', () => {
    const ex: Exchange = {
      ...goodExchange(),
      method: 'GET',
      path: '/v1/auth/key',
      requestBody: undefined,
      status: 200,
      responseBody: {
        data: {
          id: 'key_1',
          name: 'ci',
          tier: 'trial',
          scopes: ['admin'],
          limits: { per_minute: 60, per_day: 1000 },
          expires_at: null,
          last4: 'abcd',
        },
      },
    };
    expect(validateExchange(ex)).toEqual([]);
    const invalid: Exchange = {
      ...goodExchange(),
      status: 400,
      responseBody: { error: { code: 'VALIDATION_ERROR', message: 'bad', details: [{ field: 'name', message: 'x' }] } },
    };
    expect(validateExchange(invalid)).toEqual([]);
  });

  it('reports a response body that does not match', () => {
    const problems = validateExchange({ ...goodExchange(), responseBody: { data: { ...device, status: 'sleepy' } } });
    expect(problems.join('\n')).toMatch(/POST \/devices → 201: response body.*status/);
  });

  it('reports an accepted request body that does not match', () => {
    const problems = validateExchange({ ...goodExchange(), requestBody: { name: 'x', type: 'fax' } });
    expect(problems.join('\n')).toMatch(/request body/);
  });

  it('reports an undocumented status', () => {
    const problems = validateExchange({ ...goodExchange(), status: 418 });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/status 418 is not documented for POST \/devices/);
  });

  it('reports a missing rate-limit header', () => {
    const headers: Record<string, string> = { ...rateHeaders };
    delete headers['x-ratelimit-remaining-day'];
    const problems = validateExchange({ ...goodExchange(), responseHeaders: headers });
    expect(problems).toEqual(['POST /devices → 201: response header X-RateLimit-Remaining-Day missing']);
  });

  it('reports Retry-After missing on 429', () => {
    const problems = validateExchange({
      ...goodExchange(),
      status: 429,
      responseBody: { error: { code: 'RATE_LIMITED', message: 'slow down' } },
    });
    expect(problems).toEqual(['POST /devices → 429: response header Retry-After missing']);
  });

  it('reports an unknown path and a missing required query parameter', () => {
    expect(validateExchange({ ...goodExchange(), path: '/v1/gadgets' })[0]).toMatch(/no such operation/);
    const problems = validateExchange({
      ...goodExchange(),
      method: 'GET',
      path: '/ml/predictions',
      requestBody: undefined,
      status: 200,
      responseBody: { data: [], meta: { page: 1, per_page: 20, total: 0 } },
    });
    expect(problems).toEqual(['GET /ml/predictions → 200: required query parameter asset_id missing']);
  });
});
