import { AppError } from '../domain/errors/app-error.js';
import { TrendViewInput, type TrendView } from '../domain/history/trend-view.js';
import type { Db } from './database.js';

interface ViewRow {
  id: number;
  name: string;
  config: string;
  dashboard_id: string | null;
  created_at: number;
  updated_at: number;
}

type ViewConfig = Omit<TrendView, 'id' | 'name' | 'dashboardId' | 'createdAt' | 'updatedAt'>;

/** Saved trend views: a name, the tags, axes and range as JSON, and the TwinEdge dashboard it maps to. */
export class TrendViewsRepo {
  constructor(private readonly db: Db) {}

  list(): TrendView[] {
    return (this.db.prepare('SELECT * FROM trend_views ORDER BY name COLLATE NOCASE').all() as ViewRow[]).map(toView);
  }

  get(id: number): TrendView | null {
    const row = this.db.prepare('SELECT * FROM trend_views WHERE id = ?').get(id) as ViewRow | undefined;
    return row ? toView(row) : null;
  }

  /** Creates (no id) or replaces a view; names are unique. */
  save(input: TrendViewInput, now = Date.now()): TrendView {
    const v = TrendViewInput.parse(input);
    const config: ViewConfig = {
      tagIds: v.tagIds,
      axes: v.axes,
      range: v.range,
      follow: v.follow,
      hiddenTagIds: v.hiddenTagIds,
    };
    const clash = this.db.prepare('SELECT id FROM trend_views WHERE name = ?').get(v.name) as
      { id: number } | undefined;
    if (clash && clash.id !== v.id) {
      throw new AppError('conflict', `A view named "${v.name}" already exists; choose another name.`, [
        { path: 'name', message: 'already used by another view' },
      ]);
    }
    let id: number;
    if (v.id === undefined) {
      id = Number(
        this.db
          .prepare('INSERT INTO trend_views (name, config, created_at, updated_at) VALUES (?, ?, ?, ?)')
          .run(v.name, JSON.stringify(config), now, now).lastInsertRowid,
      );
    } else {
      const changes = this.db
        .prepare('UPDATE trend_views SET name = ?, config = ?, updated_at = ? WHERE id = ?')
        .run(v.name, JSON.stringify(config), now, v.id).changes;
      if (changes === 0) throw notFound(v.id);
      id = v.id;
    }
    return this.require(id);
  }

  delete(id: number): void {
    if (this.db.prepare('DELETE FROM trend_views WHERE id = ?').run(id).changes === 0) throw notFound(id);
  }

  /** Records the TwinEdge dashboard a view was saved as or opened from (null: none). */
  setDashboard(id: number, dashboardId: string | null, now = Date.now()): TrendView {
    const changes = this.db
      .prepare('UPDATE trend_views SET dashboard_id = ?, updated_at = ? WHERE id = ?')
      .run(dashboardId, now, id).changes;
    if (changes === 0) throw notFound(id);
    return this.require(id);
  }

  private require(id: number): TrendView {
    const view = this.get(id);
    if (!view) throw notFound(id);
    return view;
  }
}

const notFound = (id: number): AppError =>
  new AppError('not_found', `Trend view ${id} does not exist (deleted meanwhile?).`);

const toView = (r: ViewRow): TrendView => {
  const c = JSON.parse(r.config) as ViewConfig;
  return {
    id: r.id,
    name: r.name,
    tagIds: c.tagIds,
    axes: c.axes,
    range: c.range,
    follow: c.follow,
    hiddenTagIds: c.hiddenTagIds,
    dashboardId: r.dashboard_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
};
