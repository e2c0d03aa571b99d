import { type AlertRule, type AlertEvent } from './alert.js';
export interface CloudAlerts {
  rules: AlertRule[];
  events: AlertEvent[];
  /** When the lists were fetched from TwinEdge, epoch ms; null: never (offline since start). */
  fetchedAt: number | null;
  error: string | null;
}

export interface CloudList<T> {
  items: T[];
  fetchedAt: number | null;
  error: string | null;
}

/** TwinEdge's devices, for linking a local device by hand; `error` says why the list is not available. */
export interface CloudDeviceChoices {
  items: { id: string; name: string; externalId: string | null }[];
  error: string | null;
}
