import type { AlarmState } from '../../domain/alarm/rule-schema.js';

/**
 * The alarm lifecycle (ISA-18.2 / Ignition) as pure state functions; null means "no transition".
 *   raise:       normal | cleared-unacked → active-unacked
 *   clear:       active-unacked → cleared-unacked (manual ack) or normal (auto ack); active-acked → normal
 *   acknowledge: active-unacked → active-acked; cleared-unacked → normal
 */

export const isActive = (state: AlarmState): boolean => state === 'active-unacked' || state === 'active-acked';

export const raisedState = (state: AlarmState): AlarmState | null =>
  state === 'normal' || state === 'cleared-unacked' ? 'active-unacked' : null;

export const clearedState = (state: AlarmState, ackMode: 'manual' | 'auto'): AlarmState | null => {
  if (state === 'active-unacked') return ackMode === 'auto' ? 'normal' : 'cleared-unacked';
  if (state === 'active-acked') return 'normal';
  return null;
};

export const acknowledgedState = (state: AlarmState): AlarmState | null => {
  if (state === 'active-unacked') return 'active-acked';
  if (state === 'cleared-unacked') return 'normal';
  return null;
};
