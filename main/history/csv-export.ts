import type { z } from 'zod';
import { AppError } from '../domain/errors/app-error.js';
import { qualityOf } from '../domain/sample/status-codes.js';
import type { CsvExport, ExportQuery } from '../domain/history/trend-query.js';
import { exportFileName } from '../domain/export-file-name.js';
import type { Store } from '../store/store.js';
import { rollupTable } from '../store/rollups-repo.js';

export type ExportQueryInput = z.output<typeof ExportQuery>;

/** Beyond this an export would not open in a spreadsheet (Excel stops at 1,048,576 rows): raw and buckets alike. */
export const MAX_EXPORT_ROWS = 1_000_000;
/** Rows formatted per event-loop turn: a few milliseconds of work. */
const CHUNK_ROWS = 5_000;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface TagLabel {
  device: string;
  tag: string;
  unit: string;
}

interface RollupRow {
  bucket: number;
  min: number | null;
  max: number | null;
  sum: number | null;
  count: number;
  bad_count: number;
  worst_quality: number;
}

/**
 * The bucket export's columns. min, max and avg are over the usable samples only (a value, quality not Bad); the
 * header says so, and how many samples were Bad, their share and the worst quality seen in the bucket.
 */
const bucketHeader = [
  'bucket_start_utc',
  'bucket_start_local',
  'device',
  'tag',
  'unit',
  'min_of_usable',
  'max_of_usable',
  'avg_of_usable',
  'usable_samples',
  'bad_samples',
  'usable_percent',
  'worst_quality',
];

/** Usable samples as a percentage of all samples in the bucket, to 0.1 %. */
const usablePercent = (usable: number, bad: number): number | null =>
  usable + bad === 0 ? null : Math.round((usable / (usable + bad)) * 1000) / 10;

const CRLF = '\r\n';

/** RFC 4180: quote fields holding a comma, quote or line break, doubling the quotes. */
export const csvField = (v: string | number | null): string => {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const line = (fields: (string | number | null)[]): string => fields.map(csvField).join(',') + CRLF;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * ISO 8601 local time with the zone's offset at that instant, e.g. 2026-11-30T13:00:00.000+01:00, from one
 * Intl.DateTimeFormat made here: building one costs far more than formatting with it, so an export makes one.
 */
export const localIsoFormatter = (timeZone: string): ((ts: number) => string) => {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return (ts) => {
    const parts = Object.fromEntries(format.formatToParts(new Date(ts)).map((p) => [p.type, p.value])) as Record<
      string,
      string
    >;
    const [y, mo, d, h, mi, s] = ['year', 'month', 'day', 'hour', 'minute', 'second'].map((k) => Number(parts[k]));
    const ms = ((ts % 1000) + 1000) % 1000;
    const wall = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0, ms);
    const offset = Math.round((wall - ts) / 60_000);
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    return (
      `${pad(y ?? 0, 4)}-${pad(mo ?? 1)}-${pad(d ?? 1)}T${pad(h ?? 0)}:${pad(mi ?? 0)}:${pad(s ?? 0)}.${pad(ms, 3)}` +
      `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
    );
  };
};

/** One timestamp in local time (a formatter per call: for single values, not for rows of an export). */
export const localIso = (ts: number, timeZone: string): string => localIsoFormatter(timeZone)(ts);

/** Good / Uncertain / Bad with the status code, e.g. "Bad (0x80000000)". */
export const qualityText = (code: number): string => {
  const word = { good: 'Good', uncertain: 'Uncertain', bad: 'Bad' }[qualityOf(code)];
  return `${word} (0x${(code >>> 0).toString(16).toUpperCase().padStart(8, '0')})`;
};

/** Tags' device names, names and units, refusing ids that no longer exist. */
const labels = (store: Store, tagIds: readonly number[]): Map<number, TagLabel> => {
  const byId = new Map<number, TagLabel>();
  for (const d of store.devices.list()) {
    for (const t of d.tags) byId.set(t.id, { device: d.config.name, tag: t.name, unit: t.unit });
  }
  const missing = tagIds.filter((id) => !byId.has(id));
  if (missing.length > 0) throw new AppError('not_found', `Tag ${missing.join(', ')} does not exist (deleted?).`);
  return byId;
};

export interface ExportOptions {
  now?: number;
  /** Rows an export may hold (default MAX_EXPORT_ROWS). */
  maxRows?: number;
  /** Rows read and formatted per event-loop turn (default CHUNK_ROWS). */
  chunkRows?: number;
}

const tierWord: Record<'1m' | '1h', string> = { '1m': '1-minute buckets', '1h': '1-hour buckets' };

/** The same cap for every resolution, said the same way, with what to do instead. */
const tooLarge = (
  resolution: ExportQueryInput['resolution'],
  total: number,
  max: number,
  /** False when counting stopped once past the cap: the range holds at least `total`. */
  exact: boolean,
): AppError => {
  const what = resolution === 'raw' ? 'raw samples' : tierWord[resolution];
  const instead =
    resolution === 'raw'
      ? 'export 1-minute rollups instead'
      : resolution === '1m'
        ? 'export 1-hour rollups instead'
        : 'export fewer tags at once';
  return new AppError(
    'invalid_input',
    `That range holds ${exact ? '' : 'at least '}${total.toLocaleString('en-US')} ${what}, more than the ${max.toLocaleString('en-US')} rows ` +
      `an export allows. Choose a shorter range, or ${instead}.`,
  );
};

/**
 * Long-format CSV (one row per sample or bucket and tag) of stored history; call after the rollup pass. At most
 * `maxRows` rows at any resolution. Rows are read by key in chunks of `chunkRows`, the event loop turning between
 * chunks, so a large export never holds the main thread (nor the connection: no statement stays open across turns).
 */
export const exportCsv = async (
  store: Store,
  q: ExportQueryInput,
  timeZone: string,
  options: ExportOptions = {},
): Promise<CsvExport> => {
  const maxRows = options.maxRows ?? MAX_EXPORT_ROWS;
  const chunkRows = Math.max(1, options.chunkRows ?? CHUNK_ROWS);
  const db = store.database;
  const tags = labels(store, q.tagIds);
  const local = localIsoFormatter(timeZone);
  const raw = q.resolution === 'raw';
  const table = rollupTable[q.resolution === 'raw' ? '1m' : q.resolution];
  const width = q.resolution === '1m' ? 60_000 : 3_600_000;
  // Raw: samples in [from, to]. Buckets: those overlapping [from, to), the first may start before `from`.
  const first = raw ? q.from : Math.floor(q.from / width) * width;
  const last = raw ? q.to : q.to - 1;
  const count = db.prepare(`SELECT count(*) AS n FROM ${table} WHERE tag_id = ? AND bucket >= ? AND bucket <= ?`);
  // Raw samples through RawSamples (rows and sealed blocks); counting them stops a little past the cap.
  let total = 0;
  let exact = true;
  // Counting stops once past the cap (the tags left, and the rest of a tag's sealed blocks, are not counted).
  for (const [i, id] of q.tagIds.entries()) {
    if (raw) {
      const c = store.samples.countUpTo(id, first, last, maxRows - total);
      total += c.n;
      exact &&= c.exact;
    } else total += (count.get(id, first, last) as { n: number }).n;
    if (total > maxRows) {
      exact &&= i === q.tagIds.length - 1;
      break;
    }
  }
  if (total > maxRows) throw tooLarge(q.resolution, total, maxRows, exact);
  const select = db.prepare(
    `SELECT bucket, min, max, sum, count, bad_count, worst_quality FROM ${table} WHERE tag_id = ? AND bucket >= ? AND bucket <= ?
     ORDER BY bucket LIMIT ?`,
  );
  const parts: string[] = [
    raw ? line(['timestamp_utc', 'timestamp_local', 'device', 'tag', 'value', 'unit', 'quality']) : line(bucketHeader),
  ];
  let rows = 0;
  for (const id of q.tagIds) {
    const t = tags.get(id) as TagLabel;
    let from = first;
    // Rows stored while the export runs may add to the count; the cap holds regardless.
    while (rows < maxRows) {
      const limit = Math.min(chunkRows, maxRows - rows);
      const chunk: string[] = [];
      if (raw) {
        const got = store.samples.raw(id, from, last, limit);
        for (const r of got) {
          const v = r.text ?? r.value;
          chunk.push(
            line([new Date(r.ts).toISOString(), local(r.ts), t.device, t.tag, v, t.unit, qualityText(r.quality)]),
          );
        }
        from = (got.at(-1)?.ts ?? last) + 1;
      } else {
        const got = select.all(id, from, last, limit) as RollupRow[];
        for (const r of got) {
          const avg = r.count > 0 && r.sum !== null ? r.sum / r.count : null;
          const iso = new Date(r.bucket).toISOString();
          chunk.push(
            line([
              iso,
              local(r.bucket),
              t.device,
              t.tag,
              t.unit,
              r.min,
              r.max,
              avg,
              r.count,
              r.bad_count,
              usablePercent(r.count, r.bad_count),
              qualityText(r.worst_quality),
            ]),
          );
        }
        from = (got.at(-1)?.bucket ?? last) + 1;
      }
      rows += chunk.length;
      parts.push(chunk.join(''));
      if (chunk.length < limit) break;
      await nextTurn();
    }
  }
  return {
    filename: exportFileName(
      raw ? 'trend' : ['trend', tierWord[q.resolution as '1m' | '1h'].replace(/ /g, '-')],
      'csv',
      options.now,
    ),
    csv: parts.join(''),
    rows,
    resolution: q.resolution,
  };
};
