import { StoragePolicy, storageModes, type StorageBand, type StorageMode } from '../storage/storage-policy.js';

/**
 * A tag's storage override as register-map CSV columns: `store` (empty = the device's policy, `every`, `change`),
 * `deadband` and `compression` (`0.5` in engineering units, `2%` of the tag's span), `max_interval_s`. The span
 * (`span_low`, `span_high`) is read with the other numbers in modbus-csv.ts.
 */
export const storageColumns = ['store', 'deadband', 'max_interval_s', 'compression'] as const;
export type StorageColumn = (typeof storageColumns)[number];

export interface StorageCellProblem {
  column: StorageColumn;
  message: string;
}

export type StorageCellsRead =
  { ok: true; storage: StoragePolicy | null } | { ok: false; problems: StorageCellProblem[] };

/** A policy as the export takes it: numbers may be null while a form is being edited. */
export interface StoragePolicyCellsInput {
  mode: StorageMode;
  deadband: number | null;
  band: StorageBand;
  maxIntervalS: number | null;
  compression: number | null;
}

const amount = (v: number | null, band: StorageBand): string =>
  v === null ? '' : band === 'percent' ? `${v}%` : String(v);

/** The override as cells; all empty when the tag uses the device's policy. */
export const storageCells = (p: StoragePolicyCellsInput | null): Record<StorageColumn, string> =>
  p === null
    ? { store: '', deadband: '', max_interval_s: '', compression: '' }
    : {
        store: p.mode,
        deadband: amount(p.deadband, p.band),
        max_interval_s: p.maxIntervalS === null ? '' : String(p.maxIntervalS),
        compression: amount(p.compression, p.band),
      };

const amountPattern = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*(%)?$/;

type AmountRead = { ok: true; value: number; percent: boolean } | { ok: false; message: string } | null;

const readAmount = (raw: string, what: string): AmountRead => {
  const t = raw.trim();
  if (t === '') return null;
  const m = amountPattern.exec(t);
  if (!m) {
    if (/^\d+,\d+\s*%?$/.test(t)) return { ok: false, message: `"${raw}": write decimals with a point (.)` };
    return { ok: false, message: `"${raw}" is not a ${what}: write 0.5 (engineering units) or 2% (of the span)` };
  }
  return { ok: true, value: Number(t.replace('%', '')), percent: m[4] === '%' };
};

/** Schema field -> column, to put a policy problem at its cell. */
const columnOfField: Record<string, StorageColumn> = {
  mode: 'store',
  deadband: 'deadband',
  band: 'deadband',
  maxIntervalS: 'max_interval_s',
  compression: 'compression',
};

/** Reads the four cells (a getter gives '' for a missing column); problems name their column. */
export const readStorageCells = (get: (c: StorageColumn) => string): StorageCellsRead => {
  const problems: StorageCellProblem[] = [];
  const add = (column: StorageColumn, message: string): void => void problems.push({ column, message });
  const storeText = get('store').trim().toLowerCase();
  if (storeText === '') {
    for (const c of ['deadband', 'max_interval_s', 'compression'] as const) {
      if (get(c).trim() !== '') {
        add(c, `set "store" to change (or every) to give this tag its own policy; empty "store" uses the device's`);
      }
    }
    return problems.length > 0 ? { ok: false, problems } : { ok: true, storage: null };
  }
  if (!(storageModes as readonly string[]).includes(storeText)) {
    add('store', `"${get('store')}" is not a storage mode; use every or change (empty: the device's policy)`);
  }
  const deadband = readAmount(get('deadband'), 'deadband');
  const compression = readAmount(get('compression'), 'compression deviation');
  if (deadband && !deadband.ok) add('deadband', deadband.message);
  if (compression && !compression.ok) add('compression', compression.message);
  const input: Record<string, unknown> = { mode: storeText };
  const percent = [deadband, compression].some((a) => a?.ok === true && a.percent);
  const absoluteNonZero = [deadband, compression].some((a) => a?.ok === true && !a.percent && a.value !== 0);
  if (percent && absoluteNonZero) {
    add('compression', 'deadband and compression are both in % of span or both in engineering units');
  }
  input.band = percent ? 'percent' : 'absolute';
  if (deadband?.ok) input.deadband = deadband.value;
  if (compression?.ok) input.compression = compression.value;
  const maxText = get('max_interval_s').trim();
  if (maxText !== '') {
    if (!/^\d+$/.test(maxText)) add('max_interval_s', `"${maxText}" must be a whole number of seconds`);
    else input.maxIntervalS = Number(maxText);
  }
  if (problems.length > 0) return { ok: false, problems };
  const parsed = StoragePolicy.safeParse(input);
  if (parsed.success) return { ok: true, storage: parsed.data };
  for (const issue of parsed.error.issues) {
    add(columnOfField[String(issue.path[0] ?? '')] ?? 'store', issue.message);
  }
  return { ok: false, problems };
};
