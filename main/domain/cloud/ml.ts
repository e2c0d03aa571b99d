// TwinEdge ML: models, training jobs and predictions as the app uses them.

export interface MlModel {
  id: string;
  name: string;
  type: 'anomaly_detection' | 'forecast' | 'classification' | 'unknown';
  status: 'training' | 'ready' | 'failed' | 'unknown';
  asset_id: string | null;
  tag_names: string[];
  /** Only finite numeric metrics are kept. */
  metrics: Record<string, number>;
  created_at: string | null;
}

export interface TrainingJob {
  id: string;
  name: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'unknown';
  /** 0..1 */
  progress: number;
  model_id: string | null;
  error: string | null;
  created_at: string | null;
  updated_at: string | null;
}

export interface Prediction {
  /** ISO 8601. */
  timestamp: string;
  model_id: string;
  asset_id: string;
  tag_name: string | null;
  /** 0..1 */
  anomaly_score: number;
  predicted_value: number | null;
  is_anomaly: boolean;
}
