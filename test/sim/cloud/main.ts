import { parseArgs } from 'node:util';
import { scopes, tiers, type Tier } from '../../../main/domain/cloud/account.js';
import { dialects, startCloudSim } from './index.js';
import { isDialect } from './dialect.js';

/**
 * Standalone simulator for manual work against the desktop app:
 *   npm run sim:cloud -- --port 8480 --db /tmp/cloud.sqlite --tier trial --seed-data --fault-5xx 0.1 --dialect noisy
 * Faults can be changed while it runs: POST /__sim/faults {"dropRate":0.2}; counters: GET /__sim/stats.
 * A device to link to without /devices access (--dialect strict-scopes): POST /__sim/devices {"name","type"}.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8480' },
    db: { type: 'string' },
    tier: { type: 'string', default: 'enterprise' },
    key: { type: 'string' },
    'seed-data': { type: 'boolean', default: false },
    'fault-5xx': { type: 'string' },
    'fault-429': { type: 'string' },
    'fault-drop': { type: 'string' },
    latency: { type: 'string' },
    dialect: { type: 'string', default: 'ours' },
  },
});

const rate = (raw: string | undefined, flag: string): number => {
  const n = Number(raw ?? 0);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`--${flag} must be between 0 and 1`);
  return n;
};

if (!(tiers as readonly string[]).includes(values.tier)) throw new Error(`--tier must be one of ${tiers.join(', ')}`);
const tier = values.tier as Tier;
if (!isDialect(values.dialect)) throw new Error(`--dialect must be one of ${dialects.join(', ')}`);
const dialect = values.dialect;
const key = values.key ?? `te_${tier}_${crypto.randomUUID().replace(/-/g, '')}`;
const sim = await startCloudSim({
  port: Number(values.port),
  ...(values.db ? { dbPath: values.db } : {}),
  keys: [{ key, tier, scopes: [...scopes], name: 'cli key' }],
  seedData: values['seed-data'],
  dialect,
  faults: {
    error5xxRate: rate(values['fault-5xx'], 'fault-5xx'),
    rate429: rate(values['fault-429'], 'fault-429'),
    dropRate: rate(values['fault-drop'], 'fault-drop'),
    latencyMs: Number(values.latency ?? 0),
  },
});
console.log(`TwinEdge API simulator (${dialect} dialect) on ${sim.url}, key ${key}`);

const stop = (): void => {
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
