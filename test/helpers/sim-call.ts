import type { CloudSim } from '../sim/cloud/index.js';

/** A simulator answer, as read over real HTTP. */
export interface Reply {
  status: number;
  headers: Headers;
  /** The body as sent. */
  text: string;
  /** The body parsed as JSON; undefined when empty. */
  body: unknown;
}

/** One request to the simulator's API, with the key as a bearer token; bytes are sent as they are. */
export const call = async (
  sim: CloudSim,
  key: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> => {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: body instanceof Uint8Array ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? (JSON.parse(text) as unknown) : undefined };
};

/** The `data` of a success envelope, narrowed for assertions. */
export const data = <T = Record<string, unknown>>(r: Reply): T => (r.body as { data: T }).data;

/** Ingest point `i` of a test series: one per second from 2024-01-01T00:00:00Z, `over` replacing fields. */
export const point = (i: number, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  asset_id: 'press-4',
  tag_name: 'temp',
  timestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
  value: i,
  quality: 'good',
  ...over,
});

/** A training request for the seeded pump asset, as the ML tests send it. */
export const pumpTraining = {
  name: 'Pump anomalies',
  model_type: 'anomaly_detection',
  asset_id: 'pump-1',
  tag_names: ['vibration'],
  start: '2024-01-01T00:00:00Z',
  end: '2024-01-08T00:00:00Z',
};
