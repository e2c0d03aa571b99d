// TwinEdge alert rules and events as the app uses them ('unknown': a value this version does not know).

export type CloudSeverity = 'critical' | 'warning' | 'info' | 'unknown';

export interface CloudAlertCondition {
  data_source_id: string | null;
  asset_id: string | null;
  tag_name: string;
  kind: 'threshold' | 'rate_of_change' | 'anomaly_score' | 'unknown';
  operator: '>' | '>=' | '<' | '<=' | '==' | '!=' | 'between' | 'outside' | 'unknown';
  threshold: number | null;
  threshold_high: number | null;
  duration_seconds: number;
}

export interface AlertRule {
  id: string;
  name: string;
  description: string | null;
  severity: CloudSeverity;
  enabled: boolean;
  combinator: 'AND' | 'OR';
  conditions: CloudAlertCondition[];
  created_at: string | null;
  updated_at: string | null;
}

export interface AlertEvent {
  id: string;
  rule_id: string | null;
  rule_name: string;
  severity: CloudSeverity;
  status: 'triggered' | 'acknowledged' | 'resolved' | 'unknown';
  asset_id: string | null;
  tag_name: string | null;
  value: number | null;
  message: string;
  /** ISO 8601. */
  triggered_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
}
