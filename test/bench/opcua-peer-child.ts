import { readFileSync } from 'node:fs';
import { AttributeIds, OPCUAClient, TimestampsToReturn, getExtraDataTypeManager, type DataValue } from 'node-opcua';

/**
 * The OPC UA benchmarks' peer in its own process: a bare node-opcua client on the same items as the app,
 * receiving and decoding the same notifications (nothing stored). Its own process, so its CPU time is its own
 * and it counts in the very window the app is measured in.
 *
 * argv: URL scalars COUNT            — ns=1;s=V0.. as plain values
 *       URL structs COUNT FIELDS     — ns=1;s=Plc.Bench.S0.., every field F0.. of every notification read
 *       URL nodes FILE               — the node ids in FILE (a JSON array of strings) as plain values, with a
 *                                      queue deep enough to lose none: every change the server sampled
 * Prints "READY" once subscribed; on "mark" from stdin prints "MARK <values received> <CPU seconds>".
 */
const [url, mode, countArg, fieldsArg] = process.argv.slice(2);
if (!url || (mode !== 'scalars' && mode !== 'structs' && mode !== 'nodes'))
  throw new Error('usage: URL scalars|structs COUNT [FIELDS] | URL nodes FILE');
const listed = mode === 'nodes' ? (JSON.parse(readFileSync(countArg ?? '', 'utf8')) as string[]) : null;
const count = listed ? listed.length : Number(countArg);
const fields = Number(fieldsArg ?? 0);
const intervalMs = 100;

const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 1 } });
await client.connect(url);
const session = await client.createSession();
// As the collector does: structure types prepared before the first notification.
if (mode === 'structs') await getExtraDataTypeManager(session);
const sub = await session.createSubscription2({ requestedPublishingInterval: intervalMs, publishingEnabled: true });

let received = 0;
let sink = 0;
const onScalar = (_item: unknown, dv: DataValue): void => {
  if (dv.value.value !== undefined) sink++;
  received++;
};
const onStruct = (_item: unknown, dv: DataValue): void => {
  const s = dv.value.value as Record<string, unknown>;
  // Decoded means usable: every field is read, as a consumer of the structure would.
  for (let f = 0; f < fields; f++) if (s[`F${f}`] !== undefined) sink++;
  received += fields;
};
const prefix = mode === 'structs' ? 'ns=1;s=Plc.Bench.S' : 'ns=1;s=V';
for (let i = 0; i < count; i += 1000) {
  const group = await sub.monitorItems(
    Array.from({ length: Math.min(1000, count - i) }, (_, j) => ({
      nodeId: listed ? listed[i + j]! : `${prefix}${i + j}`,
      attributeId: AttributeIds.Value,
    })),
    { samplingInterval: listed ? 0 : intervalMs, queueSize: listed ? 10 : 1, discardOldest: true },
    TimestampsToReturn.Both,
  );
  group.on('changed', mode === 'structs' ? onStruct : onScalar);
}
console.log('READY');

let line = '';
process.stdin.on('data', (d: Buffer) => {
  line += d.toString();
  for (let nl = line.indexOf('\n'); nl >= 0; nl = line.indexOf('\n')) {
    const cmd = line.slice(0, nl).trim();
    line = line.slice(nl + 1);
    if (cmd === 'mark') {
      const u = process.cpuUsage();
      // sink: proof the values were decoded (0 would mean the peer counted without reading anything).
      console.log(`MARK ${received} ${(u.user + u.system) / 1e6} ${sink}`);
    }
  }
});
// The parent closing stdin is the end of the peer.
process.stdin.on('end', () => {
  void sub
    .terminate()
    .then(() => session.close())
    .catch(() => undefined)
    .then(() => client.disconnect().catch(() => undefined))
    .finally(() => process.exit(0));
});
