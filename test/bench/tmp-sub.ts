import { benchOpcUaSubscribe } from './opcua-bench.js';
for (const r of await benchOpcUaSubscribe()) console.log(JSON.stringify(r));
