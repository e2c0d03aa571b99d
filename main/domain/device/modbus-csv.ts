import { formatModicon, parseModicon } from './modbus-address.js';
import {
  canonicalOrder,
  isBitArea,
  ModbusTag,
  modbusWordOrders,
  modbusWordOrders64,
  orderLabel,
  type ModbusArea,
  type ModbusDataType,
} from './modbus-schema.js';
import { resolvePolicy } from '../storage/storage-policy.js';
import { readStorageCells, storageCells, storageColumns, type StoragePolicyCellsInput } from './storage-csv.js';

/**
 * The register map as CSV, for spreadsheets and device manuals. Pure: no Node or DOM imports, so the
 * renderer uses the same code as the service. RFC 4180 quoting; a header row is required, its column
 * order is free and its names are case-insensitive. Addresses come either as a zero-based offset
 * (`table` + `address`) or in Modicon notation (`modicon`, e.g. 40001); the export writes both.
 * Documented in README.md, "Register map CSV".
 */

export const csvColumns = [
  'name',
  'table',
  'address',
  'modicon',
  'type',
  'order',
  'bit',
  'length',
  'scale',
  'offset',
  'unit',
  'poll_ms',
  ...storageColumns,
  'span_low',
  'span_high',
] as const;
export type CsvColumn = (typeof csvColumns)[number];

export interface CsvProblem {
  /** 1-based line in the file where the record starts (the header is line 1). */
  line: number;
  /** Column name as in the header (lower case); '' for a problem with the whole record. */
  column: string;
  message: string;
}

export interface CsvParseResult {
  tags: ModbusTag[];
  problems: CsvProblem[];
}

/** What the export needs of a tag; numbers may be null while a form is being edited. */
export interface CsvTagInput {
  name: string;
  area: ModbusArea;
  address: number | null;
  dataType: ModbusDataType;
  wordOrder: string;
  bit?: number | null;
  length?: number | null;
  scale?: number | null;
  offset?: number | null;
  unit?: string;
  pollIntervalMs?: number | null;
  /** Own storage policy; null or absent uses the device's. */
  storage?: StoragePolicyCellsInput | null;
  spanLow?: number | null;
  spanHigh?: number | null;
}

// ---- export --------------------------------------------------------------------------------------

const needsQuotes = /[",\r\n]|^\s|\s$/;

const quote = (field: string): string => (needsQuotes.test(field) ? `"${field.replaceAll('"', '""')}"` : field);

const num = (n: number | null | undefined): string => (n === null || n === undefined ? '' : String(n));

const isOrder = (o: string): o is (typeof modbusWordOrders)[number] | (typeof modbusWordOrders64)[number] =>
  (modbusWordOrders as readonly string[]).includes(o) || (modbusWordOrders64 as readonly string[]).includes(o);

/** The register map as CSV text (CRLF line ends, header first). */
export const toCsv = (tags: readonly CsvTagInput[]): string => {
  const lines = [csvColumns.join(',')];
  for (const t of tags) {
    const order =
      t.dataType === 'bool' || !isOrder(t.wordOrder) ? '' : orderLabel(t.dataType, canonicalOrder(t.wordOrder));
    const inRange = t.address !== null && Number.isInteger(t.address) && t.address >= 0 && t.address <= 65_535;
    const row: Record<CsvColumn, string> = {
      name: t.name,
      table: t.area,
      address: num(t.address),
      modicon: inRange ? formatModicon(t.area, t.address!) : '',
      type: t.dataType,
      order,
      bit: num(t.bit),
      length: t.dataType === 'string' ? num(t.length) : '',
      scale: num(t.scale ?? 1),
      offset: num(t.offset ?? 0),
      unit: t.unit ?? '',
      poll_ms: num(t.pollIntervalMs),
      ...storageCells(t.storage ?? null),
      span_low: num(t.spanLow),
      span_high: num(t.spanHigh),
    };
    lines.push(csvColumns.map((c) => quote(row[c])).join(','));
  }
  return lines.join('\r\n') + '\r\n';
};

// ---- reading RFC 4180 --------------------------------------------------------------------------

interface RawRecord {
  line: number;
  fields: string[];
}

/** Splits text into records; quoting problems are reported and the record is dropped. */
const readRecords = (text: string, problems: CsvProblem[]): RawRecord[] => {
  const records: RawRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let bad: string | null = null;
    let field = '';
    let endOfRecord = false;
    while (!endOfRecord) {
      if (i < n && text[i] === '"') {
        // Quoted field: up to the closing quote; "" is a quote.
        i++;
        let closed = false;
        while (i < n) {
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (!closed) {
          bad ??= 'a quoted field is not closed (missing ")';
        } else if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          bad ??= 'text after a closing quote; write a quote inside a quoted field as ""';
          while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') i++;
        }
      } else {
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"') bad ??= 'a quote inside an unquoted field; quote the whole field and double the quote';
          field += text[i];
          i++;
        }
      }
      fields.push(field);
      field = '';
      if (i < n && text[i] === ',') {
        i++;
        continue;
      }
      // End of record: CRLF, LF, lone CR or end of text.
      if (i < n && text[i] === '\r') i++;
      if (i < n && text[i] === '\n') i++;
      line++;
      endOfRecord = true;
    }
    if (bad) {
      problems.push({ line: start, column: '', message: bad });
      continue;
    }
    const blank = fields.every((f) => f.trim() === '');
    if (!blank) records.push({ line: start, fields });
  }
  return records;
};

// ---- fields to tags ----------------------------------------------------------------------------

const tableAliases: Record<string, ModbusArea> = {
  coil: 'coil',
  coils: 'coil',
  '0x': 'coil',
  discrete: 'discrete',
  'discrete input': 'discrete',
  'discrete inputs': 'discrete',
  di: 'discrete',
  '1x': 'discrete',
  input: 'input',
  'input register': 'input',
  'input registers': 'input',
  ir: 'input',
  '3x': 'input',
  holding: 'holding',
  'holding register': 'holding',
  'holding registers': 'holding',
  hr: 'holding',
  '4x': 'holding',
};

const numberPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

type NumberRead = { ok: true; value: number | null } | { ok: false; message: string };

const readNumber = (raw: string, integer: boolean): NumberRead => {
  const t = raw.trim();
  if (t === '') return { ok: true, value: null };
  if (!numberPattern.test(t)) {
    if (/^[+-]?\d+,\d+$/.test(t)) return { ok: false, message: `"${raw}": write decimals with a point (.)` };
    return { ok: false, message: `"${raw}" is not a number` };
  }
  const v = Number(t);
  if (integer && !Number.isInteger(v)) return { ok: false, message: `"${raw}" must be a whole number` };
  return { ok: true, value: v };
};

/** Schema field -> CSV column, to name the column of a validation problem. */
const columnOfField: Record<string, CsvColumn> = {
  name: 'name',
  unit: 'unit',
  area: 'table',
  address: 'address',
  dataType: 'type',
  wordOrder: 'order',
  bit: 'bit',
  length: 'length',
  scale: 'scale',
  offset: 'offset',
  pollIntervalMs: 'poll_ms',
  spanLow: 'span_low',
  spanHigh: 'span_high',
};

/**
 * Plainer words for zod's generic messages on numbers, and the allowed values of a choice; the schema's own
 * messages on text (e.g. "a name is required") pass through.
 */
const plainMessage = (issue: {
  code: string;
  message: string;
  origin?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  values?: readonly unknown[];
}): string => {
  const onNumber = issue.origin === 'number';
  if (issue.code === 'too_small' && onNumber && typeof issue.minimum === 'number') return `at least ${issue.minimum}`;
  if (issue.code === 'too_big' && onNumber && typeof issue.maximum === 'number') return `at most ${issue.maximum}`;
  if (issue.code === 'invalid_value') {
    const allowed = (issue.values ?? []).map(String);
    return allowed.length > 0
      ? `not one of the allowed values: ${allowed.join(', ')}`
      : 'not one of the allowed values';
  }
  return issue.message;
};

/** Reads a register map; rows with problems are left out of `tags` and each problem names line and column. */
export const parseCsv = (text: string): CsvParseResult => {
  const problems: CsvProblem[] = [];
  const records = readRecords(text, problems);
  const header = records.shift();
  if (!header) {
    if (problems.length === 0)
      problems.push({ line: 1, column: '', message: 'the file is empty: a header row is required' });
    return { tags: [], problems };
  }

  const index = new Map<CsvColumn, number>();
  header.fields.forEach((rawName, i) => {
    const name = rawName.trim().toLowerCase();
    if (name === '') {
      problems.push({ line: header.line, column: '', message: `column ${i + 1} has no name in the header` });
    } else if (!(csvColumns as readonly string[]).includes(name)) {
      problems.push({
        line: header.line,
        column: name,
        message: `unknown column "${rawName.trim()}" (ignored); known columns: ${csvColumns.join(', ')}`,
      });
    } else if (index.has(name as CsvColumn)) {
      problems.push({ line: header.line, column: name, message: `column "${name}" appears twice` });
    } else {
      index.set(name as CsvColumn, i);
    }
  });
  if (!index.has('name')) {
    problems.push({ line: header.line, column: 'name', message: 'the header needs a "name" column' });
  }
  if (!index.has('modicon') && !(index.has('address') && index.has('table'))) {
    problems.push({
      line: header.line,
      column: index.has('address') ? 'table' : 'address',
      message: 'the header needs a "modicon" column (e.g. 40001), or "table" and "address" (zero-based offset)',
    });
  }
  if (problems.some((p) => p.line === header.line && p.message.startsWith('the header needs'))) {
    return { tags: [], problems };
  }

  const tags: ModbusTag[] = [];
  const seen = new Map<string, number>();
  for (const rec of records) {
    const rowProblems: CsvProblem[] = [];
    const add = (column: string, message: string): void => void rowProblems.push({ line: rec.line, column, message });
    if (rec.fields.length !== header.fields.length) {
      add('', `${rec.fields.length} fields, but the header has ${header.fields.length}`);
      problems.push(...rowProblems);
      continue;
    }
    const get = (c: CsvColumn): string => {
      const i = index.get(c);
      return i === undefined ? '' : rec.fields[i]!;
    };

    // Where: modicon and/or table + address; when both are given they must agree.
    let area: ModbusArea | undefined;
    let address: number | null = null;
    const tableText = get('table').trim().toLowerCase();
    if (tableText !== '') {
      area = tableAliases[tableText];
      if (!area)
        add('table', `"${get('table')}" is not a table; use coil, discrete, input or holding (or 0x, 1x, 3x, 4x)`);
    }
    const addr = readNumber(get('address'), true);
    if (!addr.ok) add('address', addr.message);
    else address = addr.value;
    const modiconText = get('modicon').trim();
    if (modiconText !== '') {
      const m = parseModicon(modiconText);
      if (!m.ok) add('modicon', m.message);
      else {
        if (area !== undefined && area !== m.area) {
          add('modicon', `${modiconText} is in the ${m.area} table, but the table column says ${area}`);
        } else if (address !== null && address !== m.address) {
          add('modicon', `${modiconText} is offset ${m.address}, but the address column says ${address}`);
        }
        area = m.area;
        address = m.address;
      }
    } else if (tableText === '' && rowProblems.length === 0) {
      add(index.has('modicon') ? 'modicon' : 'table', 'no address: give a Modicon address, or a table and an address');
    } else if (address === null && rowProblems.length === 0) {
      add('address', 'no address (zero-based offset)');
    }

    const input: Record<string, unknown> = { name: get('name'), unit: get('unit'), area, address };
    const typeText = get('type').trim().toLowerCase();
    input.dataType = typeText === '' ? (area && isBitArea(area) ? 'bool' : 'uint16') : typeText;
    const orderText = get('order').trim().toUpperCase();
    if (orderText !== '') input.wordOrder = orderText;
    for (const [column, field, integer] of [
      ['bit', 'bit', true],
      ['length', 'length', true],
      ['scale', 'scale', false],
      ['offset', 'offset', false],
      ['poll_ms', 'pollIntervalMs', true],
      ['span_low', 'spanLow', false],
      ['span_high', 'spanHigh', false],
    ] as const) {
      const r = readNumber(get(column), integer);
      if (!r.ok) add(column, r.message);
      else if (r.value !== null) input[field] = r.value;
    }
    const storage = readStorageCells(get);
    if (!storage.ok) for (const p of storage.problems) add(p.column, p.message);
    else input.storage = storage.storage;

    if (rowProblems.length === 0) {
      const parsed = ModbusTag.safeParse(input);
      // A tag's own % band needs its span whatever the device's policy: said at the row, not only at save.
      const unresolved = parsed.success && parsed.data.storage ? resolvePolicy(parsed.data.storage, parsed.data) : null;
      if (typeof unresolved === 'string') {
        add('span_low', unresolved);
      } else if (parsed.success) {
        const first = seen.get(parsed.data.name);
        if (first !== undefined) {
          add('name', `duplicate name "${parsed.data.name}" (first on line ${first})`);
        } else {
          seen.set(parsed.data.name, rec.line);
          tags.push(parsed.data);
        }
      } else {
        for (const issue of parsed.error.issues) {
          const field = String(issue.path[0] ?? '');
          let column: string = columnOfField[field] ?? '';
          if ((column === 'address' || column === 'table') && modiconText !== '') column = 'modicon';
          const given = input[field];
          const message = plainMessage(issue);
          add(
            column,
            issue.code === 'invalid_value' && typeof given === 'string' ? `"${given}" is ${message}` : message,
          );
        }
      }
    }
    problems.push(...rowProblems);
  }
  return { tags, problems };
};

/** One problem as a sentence: "line 4, column type: "floaty" is not one of the allowed values: bool, uint16, …". */
export const describeCsvProblem = (p: CsvProblem): string =>
  `line ${p.line}${p.column ? `, column ${p.column}` : ''}: ${p.message}`;
