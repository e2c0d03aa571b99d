import type { PointRejection } from '../../../main/sync/api/model.js';
import { routeId, type DialectRules } from './dialect.js';
import { oursDialect } from './dialect-ours.js';
import type { Answer } from './route.js';

/**
 * Routes the vendor reference does not list. `/auth/key` and `/ml/training/{id}` are our additions; of the two
 * ingest paths the docs name, this reading implements only `POST /telemetry`.
 */
const notOffered = new Set(['GET /auth/key', 'POST /telemetry/ingest', 'GET /ml/training/{id}']);

/** Device fields the reference does not name: a service that never sends them is as legitimate as ours. */
const undocumentedDeviceFields = new Set(['status', 'created_at', 'updated_at']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const stripDevice = (item: unknown): unknown =>
  isRecord(item) ? Object.fromEntries(Object.entries(item).filter(([k]) => !undocumentedDeviceFields.has(k))) : item;

/**
 * The ingest answers a service documenting nothing beyond "ingest" might give, in turn: counts with a numeric
 * `rejected` and an `errors` list, a bare count, 202 with no body, `data: null`. None carries per-point codes.
 */
const ingestShapes: ((accepted: number, rejected: PointRejection[]) => Answer)[] = [
  (accepted, rejected) => ({
    status: 200,
    body: {
      data: { accepted, rejected: rejected.length, errors: rejected.map(({ index, message }) => ({ index, message })) },
    },
  }),
  (accepted) => ({ status: 200, body: { data: { count: accepted } } }),
  () => ({ status: 202, body: undefined }),
  () => ({ status: 200, body: { data: null } }),
];

/** Only what the reference documents: no /auth/key, no device status or times, count-only ingest answers. */
export const minimalDialect = (): DialectRules => {
  const ours = oursDialect();
  let ingestAnswers = 0;
  return {
    ...ours,
    name: 'minimal',
    offers: (route) => !notOffered.has(routeId(route)),
    // The reference names no idempotency and no unique names: a repeated create makes a second device.
    deviceIdempotency: false,
    uniqueDeviceNames: false,
    replayHeader: false,
    render: (route, answer) => {
      if (route.holds === 'ingest_result') {
        const result = (answer.body as { data: { accepted: number; rejected: PointRejection[] } }).data;
        const shape = ingestShapes[ingestAnswers++ % ingestShapes.length]!;
        return { ...shape(result.accepted, result.rejected), ...(answer.headers ? { headers: answer.headers } : {}) };
      }
      if (route.holds === 'device' && isRecord(answer.body)) {
        const data = answer.body.data;
        return {
          ...answer,
          body: { ...answer.body, data: Array.isArray(data) ? data.map(stripDevice) : stripDevice(data) },
        };
      }
      return answer;
    },
  };
};
