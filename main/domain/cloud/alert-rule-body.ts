import { z } from 'zod';

// A TwinEdge alert rule as the app creates it (POST /alerts): strict, as what we send always is.

export const severities = ['critical', 'warning', 'info'] as const;

export type Severity = (typeof severities)[number];

export const operators = ['>', '>=', '<', '<=', '==', '!=', 'between', 'outside'] as const;

export type Operator = (typeof operators)[number];

export const AlertCondition = z.object({
  data_source_id: z.string().optional(),
  asset_id: z.string().optional(),
  tag_name: z.string(),
  /** `rate_of_change` compares the change per minute; `anomaly_score` an ML model's score. */
  kind: z.enum(['threshold', 'rate_of_change', 'anomaly_score']).default('threshold'),
  operator: z.enum(operators),
  threshold: z.number(),
  /** Upper bound for between / outside. */
  threshold_high: z.number().optional(),
  duration_seconds: z.number().int().min(0).default(0),
});

export const AlertRuleBody = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  severity: z.enum(severities),
  enabled: z.boolean().default(true),
  combinator: z.enum(['AND', 'OR']).default('AND'),
  conditions: z.array(AlertCondition).min(1),
});
export type AlertRuleBody = z.input<typeof AlertRuleBody>;
