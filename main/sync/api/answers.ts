import { z } from 'zod';
import { alertEventStatuses, deviceStatuses, telemetryQualities } from './model.js';
import { modelTypes } from '../../domain/cloud/ml-model-types.js';
import { operators, severities } from '../../domain/cloud/alert-rule-body.js';
import { scopes, tiers, type Scope } from '../../domain/cloud/account.js';
import { id, instant, known, optionalId, optionalInstant, optionalNumber, optionalText, text } from './tolerant.js';

/**
 * TwinEdge's answers as the client reads them: tolerant readers of the objects model.ts documents as our
 * reading. The vendor documents endpoints and envelopes but no objects, so another service may answer
 * differently and equally legitimately (see `x-twinedge-dialects` in the OpenAPI document). Only the fields
 * the app uses are read; ids may be strings or numbers, instants ISO text or epoch numbers, an enum value we
 * do not know reads as 'unknown', and unknown fields pass through untouched. What we send stays strict
 * (model.ts body schemas); what the simulator emits is model.ts, which each reader here accepts.
 */

export const widgetTypes = ['trend', 'gauge', 'value', 'table', 'alarm_list'] as const;
export const modelStatuses = ['training', 'ready', 'failed'] as const;
export const trainingStatuses = ['queued', 'running', 'completed', 'failed'] as const;

export const ErrorAnswer = z.union([
  z.looseObject({
    error: z.looseObject({
      code: z
        .union([z.string(), z.number()])
        .optional()
        .transform((v) => (v === undefined ? undefined : String(v))),
      message: z.string().optional(),
      details: z.unknown().optional(),
    }),
  }),
  z
    .looseObject({ error: z.string() })
    .transform((b) => ({ error: { code: undefined, message: b.error, details: undefined } })),
  z
    .looseObject({ message: z.string(), code: z.string().optional() })
    .transform((b) => ({ error: { code: b.code, message: b.message, details: undefined } })),
]);

export const KeyInfoAnswer = z.looseObject({
  id: optionalId,
  name: text(),
  tier: known(tiers),
  scopes: z
    .array(z.unknown())
    .optional()
    .transform((list) => (list ?? []).filter((x): x is Scope => (scopes as readonly unknown[]).includes(x))),
  limits: z
    .looseObject({ per_minute: optionalNumber, per_day: optionalNumber })
    .optional()
    .transform((l) => ({ per_minute: l?.per_minute ?? null, per_day: l?.per_day ?? null })),
  expires_at: optionalInstant,
  last4: optionalText,
});

export const TelemetryRowAnswer = z.looseObject({
  timestamp: instant,
  asset_id: id,
  tag_name: z.union([z.string(), z.number()]).transform(String),
  value: z
    .union([z.number(), z.string(), z.boolean(), z.null()])
    .optional()
    .transform((v) => v ?? null),
  quality: known(telemetryQualities),
});

export const DeviceAnswer = z.looseObject({
  id,
  name: text(),
  type: optionalText,
  description: optionalText,
  metadata: z.record(z.string(), z.unknown()).nullish(),
  external_id: optionalText,
  status: known(deviceStatuses),
  created_at: optionalInstant,
  updated_at: optionalInstant,
});

const WidgetAnswer = z.looseObject({
  id: optionalId,
  type: known(widgetTypes),
  title: text(),
  series: z
    .array(
      z.looseObject({
        asset_id: id,
        tag_name: z.union([z.string(), z.number()]).transform(String),
        axis: optionalText,
      }),
    )
    .optional()
    .transform((v) => v ?? []),
  range: z
    .union([z.string(), z.looseObject({ start: z.string(), end: z.string() })])
    .nullish()
    .transform((v) => v ?? undefined),
});

export const DashboardAnswer = z.looseObject({
  id,
  name: text(),
  description: optionalText,
  widgets: z
    .array(WidgetAnswer)
    .optional()
    .transform((v) => v ?? []),
  created_at: optionalInstant,
  updated_at: optionalInstant,
});

const conditionKind = known(['threshold', 'rate_of_change', 'anomaly_score'] as const);

export const AlertConditionAnswer = z.looseObject({
  data_source_id: optionalText,
  asset_id: optionalText,
  tag_name: text(),
  /** Absent means a plain threshold (the reference's conditions have no kind). */
  kind: z
    .unknown()
    .optional()
    .transform((v) => conditionKind.parse(v === undefined || v === null ? 'threshold' : v)),
  operator: known(operators),
  threshold: optionalNumber,
  threshold_high: optionalNumber,
  duration_seconds: optionalNumber.transform((v) => v ?? 0),
});

export const AlertRuleAnswer = z.looseObject({
  id,
  name: text(),
  description: optionalText,
  severity: known(severities),
  enabled: z
    .boolean()
    .nullish()
    .transform((v) => v ?? true),
  combinator: z
    .unknown()
    .optional()
    .transform((v) => (typeof v === 'string' && v.toUpperCase() === 'OR' ? ('OR' as const) : ('AND' as const))),
  conditions: z
    .array(AlertConditionAnswer)
    .optional()
    .transform((v) => v ?? []),
  created_at: optionalInstant,
  updated_at: optionalInstant,
});

export const AlertEventAnswer = z.looseObject({
  id,
  rule_id: optionalId,
  rule_name: text(),
  severity: known(severities),
  status: known(alertEventStatuses),
  asset_id: optionalId,
  tag_name: optionalText,
  value: optionalNumber,
  message: text(),
  triggered_at: instant,
  acknowledged_at: optionalInstant,
  resolved_at: optionalInstant,
});

export const MlModelAnswer = z.looseObject({
  id,
  name: text(),
  type: known(modelTypes),
  status: known(modelStatuses),
  asset_id: optionalId,
  tag_names: z
    .array(z.union([z.string(), z.number()]).transform(String))
    .nullish()
    .transform((v) => v ?? []),
  metrics: z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((m) =>
      Object.fromEntries(
        Object.entries(m ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])),
      ),
    ),
  created_at: optionalInstant,
});

export const TrainingJobAnswer = z.looseObject({
  id,
  name: text(),
  status: known(trainingStatuses),
  /** 0..1 */
  progress: optionalNumber.transform((v) => Math.min(1, Math.max(0, v ?? 0))),
  model_id: optionalId,
  error: optionalText,
  created_at: optionalInstant,
  updated_at: optionalInstant,
});

export const PredictionAnswer = z
  .looseObject({
    timestamp: instant,
    model_id: text(),
    asset_id: id,
    tag_name: optionalText,
    anomaly_score: z.number().transform((v) => Math.min(1, Math.max(0, v))),
    predicted_value: optionalNumber,
    is_anomaly: z.boolean().nullish(),
  })
  // Without the flag, the documented ML condition (`anomaly_score > 0.8`) decides.
  .transform((p) => ({ ...p, is_anomaly: p.is_anomaly ?? p.anomaly_score > 0.8 }));

export type ErrorAnswer = z.infer<typeof ErrorAnswer>;
export type KeyInfoAnswer = z.infer<typeof KeyInfoAnswer>;
export type TelemetryRowAnswer = z.infer<typeof TelemetryRowAnswer>;
export type DeviceAnswer = z.infer<typeof DeviceAnswer>;
export type DashboardAnswer = z.infer<typeof DashboardAnswer>;
export type AlertRuleAnswer = z.infer<typeof AlertRuleAnswer>;
export type AlertEventAnswer = z.infer<typeof AlertEventAnswer>;
export type MlModelAnswer = z.infer<typeof MlModelAnswer>;
export type TrainingJobAnswer = z.infer<typeof TrainingJobAnswer>;
export type PredictionAnswer = z.infer<typeof PredictionAnswer>;
