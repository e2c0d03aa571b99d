import { benchStoreInsert } from './store-insert.js';
import { benchPipelineDemo } from './pipeline-demo.js';
import { benchModbusPlan } from './modbus-plan.js';
import { benchModbusPoll } from './modbus-poll.js';
import { benchOpcUaNotifications, benchOpcUaSubscribe } from './opcua-bench.js';
import type { BenchResult } from './result.js';
import { benchSyncDrain, benchSyncTrialDay } from './sync-bench.js';

/** `npm run bench`: every benchmark, one JSON object per line on stdout. */
const benches: (() => BenchResult[] | Promise<BenchResult[]>)[] = [
  benchStoreInsert,
  benchPipelineDemo,
  benchModbusPlan,
  benchModbusPoll,
  benchOpcUaNotifications,
  benchOpcUaSubscribe,
  benchSyncDrain,
  benchSyncTrialDay,
];

for (const bench of benches) {
  for (const r of await bench()) console.log(JSON.stringify(r));
}
