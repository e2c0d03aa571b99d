import { benchAlertsEval } from './alerts-bench.js';
import { benchDeviceDelete } from './device-delete.js';
import { benchGatewayRestart } from './gateway-restart.js';
import { benchLiveValues } from './live-values-bench.js';
import { benchLogWrite } from './log-write.js';
import { benchStoreInsert } from './store-insert.js';
import { benchTrendYear } from './trend-year.js';
import { benchStoreBytesPerSample } from './store-bytes.js';
import { benchStoreReadDay } from './store-read-day.js';
import { benchStoreSensor } from './store-sensor.js';
import { benchPipelineDemo } from './pipeline-demo.js';
import { benchModbusPlan } from './modbus-plan.js';
import { benchModbusPollJitter } from './modbus-jitter.js';
import { benchModbusPoll } from './modbus-poll.js';
import { benchOpcUaNotifications, benchOpcUaStructFields, benchOpcUaSubscribe } from './opcua-bench.js';
import type { BenchResult } from './result.js';
import { benchSyncDrain, benchSyncDrainMinimal, benchSyncTrialDay } from './sync-bench.js';
import { benchTrendFrame } from './trend-bench.js';

/** `npm run bench`: every benchmark, one JSON object per line on stdout. */
const benches: (() => BenchResult[] | Promise<BenchResult[]>)[] = [
  benchStoreInsert,
  benchPipelineDemo,
  benchModbusPlan,
  benchModbusPoll,
  benchModbusPollJitter,
  benchOpcUaNotifications,
  benchOpcUaStructFields,
  benchOpcUaSubscribe,
  benchSyncDrain,
  benchSyncDrainMinimal,
  benchSyncTrialDay,
  benchAlertsEval,
  benchTrendYear,
  benchStoreBytesPerSample,
  benchStoreSensor,
  benchStoreReadDay,
  benchTrendFrame,
  benchLiveValues,
  benchLogWrite,
  benchGatewayRestart,
  benchDeviceDelete,
];

// `npm run bench -- sync` runs only the benchmarks whose function name contains "sync".
const only = process.argv.slice(2).map((a) => a.toLowerCase());
for (const bench of benches.filter((b) => only.length === 0 || only.some((o) => b.name.toLowerCase().includes(o)))) {
  for (const r of await bench()) console.log(JSON.stringify(r));
}
