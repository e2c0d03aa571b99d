import type { z } from 'zod';
import { AppError } from '../app/errors.js';
import { qualityOf } from '../collect/types.js';
import type { CsvExport, ExportQuery } from '../contract/trend-contract.js';
import type { Store } from '../store/store.js';
import { rollupTable } from '../store/rollups-repo.js';

export type ExportQueryInput = z.output<typeof ExportQuery>;

/** Beyond this a raw export would not open in a spreadsheet (Excel stops at 1,048,576 rows). */
export const MAX_RAW_ROWS = 1_000_000;

interface TagLabel {
  device: string;
  tag: string;
  unit: string;
}

interface RawRow {
  ts: number;
  value: number | null;
  quality: number;
  text: string | null;
}

interface RollupRow {
  bucket: number;
  min: number | null;
  max: number | null;
  sum: number | null;
  count: number;
}

const CRLF = '\r\n';

/** RFC 4180: quote fields holding a comma, quote or line break, doubling the quotes. */
export const csvField = (v: string | number | null): string => {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const line = (fields: (string | number | null)[]): string => fields.map(csvField).join(',') + CRLF;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** ISO 8601 local time with the zone's offset at that instant, e.g. 2026-11-30T13:00:00.000+01:00. */
export const localIso = (ts: number, timeZone: string): string => {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(ts))
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
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

/** Good / Uncertain / Bad with the status code, e.g. "Bad (0x80000000)". */
export const qualityText = (code: number): string => {
  const word = { good: 'Good', uncertain: 'Uncertain', bad: 'Bad' }[qualityOf(code)];
  return `${word} (0x${(code >>> 0).toString(16).toUpperCase().padStart(8, '0')})`;
};

/** twinedge-trend-2026-11-30T1200Z.csv (export time, UTC, to the minute). */
export const exportFilename = (now: number): string => {
  const iso = new Date(now).toISOString();
  return `twinedge-trend-${iso.slice(0, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z.csv`;
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

/** Long-format CSV (one row per sample or bucket and tag) of stored history; call after the rollup pass. */
export const exportCsv = (
  store: Store,
  q: ExportQueryInput,
  timeZone: string,
  now = Date.now(),
  maxRawRows = MAX_RAW_ROWS,
): CsvExport => {
  const db = store.database;
  const tags = labels(store, q.tagIds);
  const parts: string[] = [];
  let rows = 0;
  if (q.resolution === 'raw') {
    const count = db.prepare('SELECT count(*) AS n FROM samples WHERE tag_id = ? AND ts >= ? AND ts <= ?');
    const total = q.tagIds.reduce((n, id) => n + (count.get(id, q.from, q.to) as { n: number }).n, 0);
    if (total > maxRawRows) {
      throw new AppError(
        'invalid_input',
        `That range holds ${total.toLocaleString('en-US')} samples, more than the ${maxRawRows.toLocaleString('en-US')} ` +
          'a raw export allows. Choose a shorter range, or export 1-minute rollups instead.',
      );
    }
    parts.push(line(['timestamp_utc', 'timestamp_local', 'device', 'tag', 'value', 'unit', 'quality']));
    const select = db.prepare(
      'SELECT ts, value, quality, text FROM samples WHERE tag_id = ? AND ts >= ? AND ts <= ? ORDER BY ts',
    );
    for (const id of q.tagIds) {
      const t = tags.get(id) as TagLabel;
      for (const r of select.iterate(id, q.from, q.to) as IterableIterator<RawRow>) {
        const iso = new Date(r.ts).toISOString();
        parts.push(
          line([iso, localIso(r.ts, timeZone), t.device, t.tag, r.text ?? r.value, t.unit, qualityText(r.quality)]),
        );
        rows++;
      }
    }
  } else {
    parts.push(line(['bucket_start_utc', 'bucket_start_local', 'device', 'tag', 'unit', 'min', 'max', 'avg', 'count']));
    const select = db.prepare(
      `SELECT bucket, min, max, sum, count FROM ${rollupTable[q.resolution]}
       WHERE tag_id = ? AND bucket >= ? AND bucket < ? ORDER BY bucket`,
    );
    const width = q.resolution === '1m' ? 60_000 : 3_600_000;
    // Buckets overlapping [from, to): the first may start before `from`.
    const first = Math.floor(q.from / width) * width;
    for (const id of q.tagIds) {
      const t = tags.get(id) as TagLabel;
      for (const r of select.iterate(id, first, q.to) as IterableIterator<RollupRow>) {
        const avg = r.count > 0 && r.sum !== null ? r.sum / r.count : null;
        const iso = new Date(r.bucket).toISOString();
        parts.push(line([iso, localIso(r.bucket, timeZone), t.device, t.tag, t.unit, r.min, r.max, avg, r.count]));
        rows++;
      }
    }
  }
  return { filename: exportFilename(now), csv: parts.join(''), rows, resolution: q.resolution };
};
