import { z } from 'zod';
import { Prng } from '../../main/domain/prng.js';
import { calls } from '../../main/contract/contract.js';
import { callNames, type CallName } from '../../main/contract/wire.js';

/** Picks for fuzzing over the demo plant's seeded PRNG (mulberry32): the same seed gives the same calls everywhere. */
export class Rng {
  private readonly prng: Prng;
  constructor(seed: number) {
    this.prng = new Prng(seed);
  }
  next(): number {
    return this.prng.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  string(maxLength: number, alphabet = 'abcXYZ019 _-.:/;=é✓'): string {
    const n = this.int(0, maxLength);
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(0, alphabet.length - 1)];
    return s;
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: Json[];
  const?: Json;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  additionalProperties?: boolean | JsonSchema;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
}

/** Marks where a deeply nested value goes in the serialized frame (JSON.stringify would recurse on it). */
export const DEEP = '\u0001DEEP\u0001';

/** Values that break careless code: NaN-like strings, edge numbers, wrong types, prototype keys. */
const nastyValues: Json[] = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '0x10',
  '',
  ' ',
  '\u0000',
  '\ud800',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  "'; DROP TABLE samples; --",
  '__proto__',
  'constructor',
  'A'.repeat(300),
  -1,
  0,
  1.5,
  -2147483648,
  2 ** 53,
  2 ** 63,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  null,
  true,
  [],
  {},
  [null],
  Array.from({ length: 33 }, (_, i) => i + 1),
  DEEP,
];

/** One nasty value; rarely a huge one (a 200,000-character string, 20,000 ids), as those cost time to send. */
const nasty = (rng: Rng): Json =>
  rng.chance(0.03)
    ? rng.chance(0.5)
      ? 'A'.repeat(200_000)
      : Array.from({ length: 20_000 }, (_, i) => i + 1)
    : rng.pick(nastyValues);

/** An object with an own `__proto__` (or `constructor`) key, as JSON.parse makes one, so it goes on the wire. */
const pollutingObject = (rng: Rng): { [key: string]: Json } => {
  const key = rng.pick(['__proto__', 'constructor', 'prototype']);
  const payload: Json =
    key === 'constructor' ? { prototype: { polluted: 'yes' } } : { polluted: 'yes', toString: 'x', hasOwnProperty: 1 };
  const o: { [key: string]: Json } = {};
  Object.defineProperty(o, key, { value: payload, enumerable: true, writable: true, configurable: true });
  return o;
};

export interface FuzzTargets {
  /** A loopback port nobody listens on: every host, port and URL a generated input carries points there. */
  closedPort: number;
}

/** Generates random values from a contract call's input schema (its JSON Schema form). */
export class ContractFuzzer {
  private readonly schemas = new Map<CallName, JsonSchema>();

  constructor(
    private readonly rng: Rng,
    private readonly targets: FuzzTargets,
  ) {
    for (const name of callNames) {
      this.schemas.set(
        name,
        z.toJSONSchema(calls[name].input, { io: 'input', unrepresentable: 'any' }) as unknown as JsonSchema,
      );
    }
  }

  /** A value that has the shape the schema asks for (refinements such as regexes may still refuse it). */
  validLooking(name: CallName): Json {
    const schema = this.schemas.get(name) ?? {};
    return this.gen(schema, schema, '', 0);
  }

  private nasty(): Json {
    return nasty(this.rng);
  }

  /** A valid-looking input with one field replaced by a nasty value (never a host, port or URL). */
  mutated(name: CallName): Json {
    const value = this.validLooking(name);
    const leaves: { parent: { [key: string]: Json } | Json[]; key: string | number }[] = [];
    const walk = (v: Json): void => {
      if (Array.isArray(v)) v.forEach((item, i) => (leaves.push({ parent: v, key: i }), walk(item)));
      else if (v && typeof v === 'object') {
        for (const [k, item] of Object.entries(v)) {
          if (safetyKeys.has(k)) continue;
          leaves.push({ parent: v, key: k });
          walk(item);
        }
      }
    };
    walk(value);
    const nasty = this.nasty();
    if (leaves.length === 0 || this.rng.chance(0.15)) return this.withExtraKey(value);
    const leaf = this.rng.pick(leaves);
    (leaf.parent as Record<string | number, Json>)[leaf.key] = nasty;
    return value;
  }

  /** A valid-looking input plus a key the schema does not know (often a prototype key). */
  withExtraKey(value: Json): Json {
    const base = value && typeof value === 'object' && !Array.isArray(value) ? value : {};
    if (this.rng.chance(0.7)) return { ...pollutingObject(this.rng), ...base };
    return { ...base, [this.rng.string(12)]: nasty(this.rng) };
  }

  /** Anything at all, of any type. */
  randomJson(depth = 0): Json {
    const kind = this.rng.int(0, depth > 3 ? 3 : 5);
    switch (kind) {
      case 0:
        return null;
      case 1:
        return this.rng.chance(0.5);
      case 2:
        return this.rng.pick([0, -1, 1e308, this.rng.next() * 1e6, 2 ** 53 + 2]);
      case 3:
        return this.rng.string(20);
      case 4:
        return Array.from({ length: this.rng.int(0, 4) }, () => this.randomJson(depth + 1));
      default: {
        const o: { [key: string]: Json } = this.rng.chance(0.3) ? pollutingObject(this.rng) : {};
        for (let i = this.rng.int(0, 4); i > 0; i--) o[this.rng.string(8)] = this.randomJson(depth + 1);
        return o;
      }
    }
  }

  private resolve(root: JsonSchema, schema: JsonSchema): JsonSchema {
    if (!schema.$ref) return schema;
    const name = schema.$ref.replace(/^#\/\$defs\//, '');
    return root.$defs?.[name] ?? {};
  }

  private gen(root: JsonSchema, s: JsonSchema, key: string, depth: number): Json {
    const schema = this.resolve(root, s);
    const rng = this.rng;
    const { closedPort } = this.targets;
    // Whatever the schema allows, nothing generated may reach past this machine's loopback.
    if (key === 'host') return '127.0.0.1';
    if (key === 'port') return closedPort;
    if (key === 'endpointUrl') return `opc.tcp://127.0.0.1:${closedPort}`;
    if (key === 'baseUrl') return `http://127.0.0.1:${closedPort}`;
    if (key === 'path') return '/nonexistent/twinedge-fuzz-tty';
    // A test read of an unreachable device waits timeoutMs + 1 s by design: short, so the suite stays short.
    if (key === 'timeoutMs') return rng.int(20, 300);
    if (schema.const !== undefined) return schema.const;
    if (schema.enum) return rng.pick(schema.enum);
    const alternatives = schema.anyOf ?? schema.oneOf;
    if (alternatives && alternatives.length > 0) return this.gen(root, rng.pick(alternatives), key, depth);
    if (schema.allOf && schema.allOf.length > 0) return this.gen(root, schema.allOf[0] ?? {}, key, depth);
    const type = Array.isArray(schema.type) ? rng.pick(schema.type) : schema.type;
    switch (type ?? 'any') {
      case 'null':
        return null;
      case 'boolean':
        return rng.chance(0.5);
      case 'integer':
      case 'number': {
        const lo = Math.max(
          schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000),
          -Number.MAX_SAFE_INTEGER,
        );
        const hi = Math.min(
          schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : lo + 1_000_000),
          Number.MAX_SAFE_INTEGER,
        );
        const r = rng.next();
        const v =
          r < 0.15
            ? lo
            : r < 0.25
              ? hi
              : r < 0.75
                ? lo + rng.int(0, Math.min(60, hi - lo))
                : lo + Math.floor(rng.next() * (hi - lo));
        return type === 'integer' ? Math.round(v) : r > 0.9 ? v + 0.5 : v;
      }
      case 'string': {
        const min = schema.minLength ?? 0;
        const max = Math.min(schema.maxLength ?? 24, min + 24);
        let text = rng.string(max);
        while (text.length < min) text += 'x';
        return text;
      }
      case 'array': {
        const min = schema.minItems ?? 0;
        const max = Math.min(schema.maxItems ?? 4, min + 4);
        if (schema.prefixItems) return schema.prefixItems.map((p) => this.gen(root, p, '', depth + 1));
        return Array.from({ length: rng.int(min, max) }, () => this.gen(root, schema.items ?? {}, '', depth + 1));
      }
      case 'object': {
        const out: { [key: string]: Json } = {};
        const required = new Set(schema.required ?? []);
        for (const [k, p] of Object.entries(schema.properties ?? {})) {
          if (required.has(k) || safetyKeys.has(k) || rng.chance(0.5)) out[k] = this.gen(root, p, k, depth + 1);
        }
        if (typeof schema.additionalProperties === 'object' && depth < 4) {
          for (let i = rng.int(0, 2); i > 0; i--) {
            out[rng.string(8)] = this.gen(root, schema.additionalProperties, '', depth + 1);
          }
        }
        return out;
      }
      default:
        return this.randomJson(depth + 2);
    }
  }
}

/** Keys whose values keep every generated connection on loopback: mutations leave them alone. */
const safetyKeys = new Set(['host', 'port', 'endpointUrl', 'baseUrl', 'path', 'timeoutMs']);

/** Names that are not calls: near misses, prototype members, other types. */
export const badCallNames = (rng: Rng): unknown[] => [
  rng.string(30),
  `${rng.pick(callNames)} `,
  rng.pick(callNames).toUpperCase(),
  `${rng.pick(callNames)}.x`,
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
  null,
  42,
  true,
  ['devices.list'],
  { name: 'devices.list' },
  { toString: 1 },
  { toString: 'devices.list', valueOf: 'devices.list' },
];
