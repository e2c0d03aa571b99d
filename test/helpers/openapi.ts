import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import type { Exchange } from '../sim/cloud/exchange.js';

export type { Exchange };

/**
 * Checks request/response pairs against main/sync/api/twinedge-openapi.yaml, so the simulator (and anything else
 * a test drives) cannot drift from the written reference unnoticed.
 */

export const openApiPath = fileURLToPath(new URL('../../main/sync/api/twinedge-openapi.yaml', import.meta.url));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The document as parsed (merge keys on: the document shares header lists with `<<`). */
export const loadOpenApiDocument = (): JsonObject => {
  const doc: unknown = parse(readFileSync(openApiPath, 'utf8'), { merge: true });
  if (!isObject(doc)) throw new Error('OpenAPI document is not a mapping');
  return doc;
};

const SCHEMA_ID = 'oas';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/**
 * OpenAPI 3.0 schema → JSON Schema for ajv: `nullable: true` becomes anyOf [schema, null] (the document's one
 * chosen form of nullability), `x-` extensions are dropped, and component refs point into the registered schema.
 */
const toJsonSchema = (node: Json): Json => {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('x-') || k === 'nullable' || k === 'example') continue;
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/')) out[k] = `${SCHEMA_ID}${v}`;
    else out[k] = toJsonSchema(v);
  }
  return node.nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
};

/** Resolves a local `$ref` (for non-schema objects: parameters, responses, headers, request bodies). */
export const resolvePointer = (doc: JsonObject, ref: string): Json | undefined => {
  if (!ref.startsWith('#/')) return undefined;
  let node: Json | undefined = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) ? node[key] : undefined;
  }
  return node;
};

const deref = (doc: JsonObject, node: Json | undefined): JsonObject | undefined => {
  let cur = node;
  for (let i = 0; i < 10 && isObject(cur) && typeof cur.$ref === 'string'; i++) cur = resolvePointer(doc, cur.$ref);
  return isObject(cur) ? cur : undefined;
};

interface Operation {
  template: string;
  regex: RegExp;
  paramNames: string[];
  op: JsonObject;
  pathParams: Json[];
}

class OpenApiValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly compiled = new WeakMap<object, ValidateFunction>();
  private readonly operations = new Map<string, Operation[]>();

  constructor(readonly doc: JsonObject) {
    addFormatsModule.default(this.ajv);
    const components = isObject(doc.components) ? doc.components : {};
    this.ajv.addSchema({ $id: SCHEMA_ID, components: { schemas: toJsonSchema(components.schemas ?? {}) } });
    const paths = isObject(doc.paths) ? doc.paths : {};
    for (const [template, item] of Object.entries(paths)) {
      if (!isObject(item)) continue;
      const paramNames: string[] = [];
      const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, name: string) => {
        paramNames.push(name);
        return '([^/]+)';
      });
      for (const method of METHODS) {
        const op = item[method];
        if (!isObject(op)) continue;
        const list = this.operations.get(method) ?? [];
        list.push({
          template,
          regex: new RegExp(`^${pattern}$`),
          paramNames,
          op,
          pathParams: Array.isArray(item.parameters) ? item.parameters : [],
        });
        this.operations.set(method, list);
      }
    }
  }

  private validatorFor(schema: JsonObject): ValidateFunction {
    let fn = this.compiled.get(schema);
    if (!fn) {
      fn = this.ajv.compile(toJsonSchema(schema) as object);
      this.compiled.set(schema, fn);
    }
    return fn;
  }

  private check(schema: JsonObject, data: unknown, where: string, problems: string[]): void {
    const fn = this.validatorFor(schema);
    if (!fn(data)) problems.push(`${where}: ${this.ajv.errorsText(fn.errors, { dataVar: where.split(' ').pop() })}`);
  }

  /** Exact templates win over parameterised ones (/ml/training vs /ml/training/{id} never clash, but be safe). */
  private find(method: string, path: string): { operation: Operation; params: Record<string, string> } | undefined {
    const candidates = this.operations.get(method) ?? [];
    const sorted = [...candidates].sort((a, b) => a.paramNames.length - b.paramNames.length);
    for (const operation of sorted) {
      const m = operation.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      operation.paramNames.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] ?? '')));
      return { operation, params };
    }
    return undefined;
  }

  validate(ex: Exchange): string[] {
    const problems: string[] = [];
    const method = ex.method.toLowerCase();
    const path = ex.path.split('?')[0]!.replace(/^\/v1(?=\/)/, '');
    const label = `${ex.method.toUpperCase()} ${path} → ${ex.status}`;
    const found = this.find(method, path);
    if (!found) return [`${ex.method.toUpperCase()} ${path}: no such operation in the OpenAPI document`];
    const { operation, params } = found;
    const { op } = operation;
    const lower = (h: Record<string, string>): Record<string, string> =>
      Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
    const reqHeaders = lower(ex.requestHeaders);
    const resHeaders = lower(ex.responseHeaders);

    // The request side is only held to the document when the server accepted it: tests send invalid requests
    // on purpose to see the 4xx answers.
    if (ex.status >= 200 && ex.status < 300) {
      const merged = new Map<string, JsonObject>();
      for (const p of [...operation.pathParams, ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
        const param = deref(this.doc, p);
        if (param && typeof param.in === 'string' && typeof param.name === 'string') {
          merged.set(`${param.in}:${param.name}`, param);
        }
      }
      for (const param of merged.values()) {
        const name = param.name as string;
        const where = param.in as string;
        const raw =
          where === 'query'
            ? ex.query[name]
            : where === 'header'
              ? reqHeaders[name.toLowerCase()]
              : where === 'path'
                ? params[name]
                : undefined;
        if (raw === undefined) {
          if (param.required === true) problems.push(`${label}: required ${where} parameter ${name} missing`);
          continue;
        }
        if (isObject(param.schema))
          this.check(param.schema, coerce(param.schema, raw), `${label}: ${where} ${name}`, problems);
      }
      const body = deref(this.doc, op.requestBody);
      if (body) {
        const schema = jsonSchemaOf(body);
        if (ex.requestBody === undefined) {
          if (body.required === true) problems.push(`${label}: request body missing`);
        } else if (schema) this.check(schema, ex.requestBody, `${label}: request body`, problems);
      }
    }

    const responses = isObject(op.responses) ? op.responses : {};
    const response = deref(this.doc, responses[String(ex.status)] ?? responses.default);
    if (!response) {
      problems.push(
        `${label}: status ${ex.status} is not documented for ${ex.method.toUpperCase()} ${operation.template} (documented: ${Object.keys(responses).join(', ')})`,
      );
      return problems;
    }
    const headers = isObject(response.headers) ? response.headers : {};
    for (const [name, h] of Object.entries(headers)) {
      const header = deref(this.doc, h);
      if (!header) continue;
      const value = resHeaders[name.toLowerCase()];
      if (value === undefined) {
        if (header.required === true) problems.push(`${label}: response header ${name} missing`);
        continue;
      }
      if (isObject(header.schema))
        this.check(header.schema, coerce(header.schema, value), `${label}: header ${name}`, problems);
    }
    const schema = jsonSchemaOf(response);
    if (schema) {
      if (ex.responseBody === undefined) problems.push(`${label}: response body missing`);
      else this.check(schema, ex.responseBody, `${label}: response body`, problems);
    } else if (ex.responseBody !== undefined) {
      problems.push(`${label}: a response body where the document has none`);
    }
    return problems;
  }
}

const jsonSchemaOf = (holder: JsonObject): JsonObject | undefined => {
  const content = isObject(holder.content) ? holder.content : undefined;
  const media = content && isObject(content['application/json']) ? content['application/json'] : undefined;
  return media && isObject(media.schema) ? media.schema : undefined;
};

/** Query and header values arrive as strings; give the schema the type it declares when the text allows it. */
const coerce = (schema: JsonObject, raw: string): unknown => {
  if ((schema.type === 'integer' || schema.type === 'number') && raw.trim() !== '' && Number.isFinite(Number(raw))) {
    return Number(raw);
  }
  if (schema.type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
};

let shared: OpenApiValidator | undefined;
const validator = (): OpenApiValidator => (shared ??= new OpenApiValidator(loadOpenApiDocument()));

/** Problems with one exchange (empty = it matches the document). */
export const validateExchange = (ex: Exchange): string[] => validator().validate(ex);
