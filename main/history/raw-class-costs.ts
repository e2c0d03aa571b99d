import { rawClassOf, rawClasses, type RawClass } from '../domain/history/raw-class.js';
import type { RawClassCost } from '../domain/history/retention.js';
import type { RawTagStats } from '../store/raw/raw-samples.js';
import type { Store } from '../store/store.js';

/** Per class, what is held and what it costs (the per-day rate is added by the caller, from recent counts). */
export type ClassHolding = Omit<RawClassCost, 'samplesPerDay'>;

interface TagConfigRow {
  id: number;
  config: string;
}

/** Each configured tag's class from its configuration, and, where that does not say, from its stored values. */
export const tagClasses = (store: Store, stats: readonly RawTagStats[] = []): Map<number, RawClass> => {
  const shapes = new Map(stats.map((s) => [s.tagId, s.values]));
  const out = new Map<number, RawClass>();
  for (const t of store.database.prepare('SELECT id, config FROM tags').all() as TagConfigRow[]) {
    let config: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(t.config);
      if (typeof parsed === 'object' && parsed !== null) config = parsed as Record<string, unknown>;
    } catch {
      // A damaged config says nothing: the stored values decide.
    }
    out.set(t.id, rawClassOf(config, shapes.get(t.id) ?? null));
  }
  // Samples of tags no longer configured (being purged) are classed by their values alone.
  for (const s of stats) if (!out.has(s.tagId)) out.set(s.tagId, rawClassOf({}, s.values));
  return out;
};

/**
 * Measured bytes per sample per class: each table's pages (dbstat) shared out over the tags by their payload (a row's
 * record size, a block's encoded size), then summed per class. Reads every row and block: small stores only.
 */
export const measureClasses = (
  store: Store,
  /** The raw tables' pages as dbstat measured them (RawSamples.tableBytes). */
  bytes: { rows: number; blocks: number },
): { classes: Map<number, RawClass>; holdings: ClassHolding[] } => {
  const stats = store.samples.tagStats();
  const classes = tagClasses(store, stats);
  const rowPayload = stats.reduce((n, s) => n + s.rowPayload, 0);
  const blockPayload = stats.reduce((n, s) => n + s.blockPayload, 0);
  const holdings = rawClasses.flatMap((c): ClassHolding[] => {
    const of = stats.filter((s) => classes.get(s.tagId) === c);
    const rowSamples = of.reduce((n, s) => n + s.rowSamples, 0);
    const blockSamples = of.reduce((n, s) => n + s.blockSamples, 0);
    if (rowSamples + blockSamples === 0) return [];
    const share = (part: number, whole: number, pages: number, n: number): number | null =>
      n > 0 && whole > 0 ? (pages * (part / whole)) / n : null;
    return [
      {
        class: c,
        tags: of.length,
        rowSamples,
        blockSamples,
        rowBytesPerSample: share(
          of.reduce((n, s) => n + s.rowPayload, 0),
          rowPayload,
          bytes.rows,
          rowSamples,
        ),
        blockBytesPerSample: share(
          of.reduce((n, s) => n + s.blockPayload, 0),
          blockPayload,
          bytes.blocks,
          blockSamples,
        ),
      },
    ];
  });
  return { classes, holdings };
};
