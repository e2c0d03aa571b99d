// The kinds of ML model TwinEdge trains.

export const modelTypes = ['anomaly_detection', 'forecast', 'classification'] as const;
