import type { AlertRule, Dashboard } from '../../../main/sync/api/model.js';
import { addAlertEvent } from './alerts.js';
import { startJob, TRAINING_TOTAL_MS, advanceTraining } from './ml.js';
import { iso, type SimState } from './state.js';

export const DEMO_ASSET = 'demo-press-4';

/** Demo content for a fresh simulator: two rules with events, a dashboard, a ready anomaly model. */
export const seedDemoData = (state: SimState): void => {
  if (state.alertRules.all().length > 0) return; // already seeded (restart on the same file)
  const now = state.clock.now();
  const at = iso(now);
  const tempRule = state.ids.next('alert_rule', 'rule-demo-temp');
  const anomalyRule = state.ids.next('alert_rule', 'rule-demo-anomaly');
  const rules: AlertRule[] = [
    {
      id: tempRule,
      name: 'Bearing temperature high',
      severity: 'critical',
      enabled: true,
      combinator: 'AND',
      conditions: [
        {
          asset_id: DEMO_ASSET,
          tag_name: 'bearing_temp',
          kind: 'threshold',
          operator: '>',
          threshold: 85,
          duration_seconds: 60,
        },
      ],
      created_at: at,
      updated_at: at,
    },
    {
      id: anomalyRule,
      name: 'Vibration anomaly',
      severity: 'warning',
      enabled: true,
      combinator: 'OR',
      conditions: [
        {
          asset_id: DEMO_ASSET,
          tag_name: 'vibration',
          kind: 'anomaly_score',
          operator: '>',
          threshold: 0.8,
          duration_seconds: 0,
        },
      ],
      created_at: at,
      updated_at: at,
    },
  ];
  rules.forEach((r) => state.alertRules.put(r));
  addAlertEvent(state, {
    rule_id: tempRule,
    rule_name: 'Bearing temperature high',
    severity: 'critical',
    status: 'resolved',
    asset_id: DEMO_ASSET,
    tag_name: 'bearing_temp',
    value: 91.4,
    triggered_at: iso(now - 3 * 3_600_000),
    acknowledged_at: iso(now - 3 * 3_600_000 + 300_000),
    resolved_at: iso(now - 2 * 3_600_000),
  });
  addAlertEvent(state, {
    rule_id: anomalyRule,
    rule_name: 'Vibration anomaly',
    severity: 'warning',
    asset_id: DEMO_ASSET,
    tag_name: 'vibration',
    value: 0.93,
    triggered_at: iso(now - 600_000),
  });
  const dashboard: Dashboard = {
    id: state.ids.next('dashboard', 'dash-demo'),
    name: 'Press 4 overview',
    widgets: [
      {
        id: 'w1',
        type: 'trend',
        title: 'Temperatures',
        series: [{ asset_id: DEMO_ASSET, tag_name: 'bearing_temp' }],
        range: 'PT1H',
      },
      { id: 'w2', type: 'alarm_list', title: 'Alarms', series: [] },
    ],
    created_at: at,
    updated_at: at,
  };
  state.dashboards.put(dashboard);
  // A job that finished before "now", so the model is ready at once.
  startJob(
    state,
    {
      name: 'Press 4 vibration anomalies',
      model_type: 'anomaly_detection',
      asset_id: DEMO_ASSET,
      tag_names: ['vibration'],
      start: iso(now - 7 * 86_400_000),
      end: at,
    },
    now - TRAINING_TOTAL_MS,
  );
  advanceTraining(state, now);
};
