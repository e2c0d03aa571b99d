import type { TrendView } from './trend-view.js';

// A TwinEdge dashboard opened as a local trend view, and what could not be matched.

export interface DashboardImport {
  view: TrendView;
  /** Dashboard series with no local tag (other sites, deleted tags): left out, named here. */
  missing: string[];
}
