// A TwinEdge dashboard as the app uses it: its trend widgets and their series (the client's reading of the answer).

export interface DashboardWidget {
  id: string | null;
  type: 'trend' | 'gauge' | 'value' | 'table' | 'alarm_list' | 'unknown';
  title: string;
  series: { asset_id: string; tag_name: string; axis: string | null }[];
  range: string | { start: string; end: string } | undefined;
}

export interface Dashboard {
  id: string;
  name: string;
  description: string | null;
  widgets: DashboardWidget[];
  created_at: string | null;
  updated_at: string | null;
}
