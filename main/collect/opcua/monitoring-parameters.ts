// What the collector asks the server for per monitored item: sampling, queue and deadband per tag, what the server
// granted, and how many items one CreateMonitoredItems call may hold.
import { AttributeIds, DataChangeFilter, DataChangeTrigger, DeadbandType, type ClientSession } from 'node-opcua';
import type { OpcUaTag } from '../../domain/device/opcua-schema.js';
import { withTimeout } from '../timeout.js';

/** What the server granted for one tag's monitored item. */
export interface ItemState {
  revisedSamplingIntervalMs: number | null;
  revisedQueueSize: number | null;
  statusCode: number;
}

export interface MonitoringParameters {
  samplingInterval: number;
  queueSize: number;
  discardOldest: boolean;
  filter: DataChangeFilter | null;
}

/** Server_ServerCapabilities_OperationLimits_MaxMonitoredItemsPerCall */
const MaxMonitoredItemsPerCallNode = 'ns=0;i=11714';
const DEFAULT_ITEMS_PER_CALL = 1000;

/** The server's MaxMonitoredItemsPerCall; 0 or unreadable means "no limit given": use a safe default. */
export const serverItemsPerCall = async (session: ClientSession, setupMs: number): Promise<number> => {
  try {
    const dv = await withTimeout(
      session.read({ nodeId: MaxMonitoredItemsPerCallNode, attributeId: AttributeIds.Value }),
      setupMs,
      'read operation limits',
    );
    const n = Number(dv.value?.value);
    return dv.statusCode.value === 0 && Number.isInteger(n) && n > 0 ? n : DEFAULT_ITEMS_PER_CALL;
  } catch {
    return DEFAULT_ITEMS_PER_CALL;
  }
};

/** Requested monitoring parameters of a tag (queue 0 = enough for one publishing interval). */
export const monitoringParameters = (t: OpcUaTag, publishingIntervalMs: number): MonitoringParameters => {
  const publishing = publishingIntervalMs;
  const sampling = t.samplingIntervalMs < 0 ? publishing : t.samplingIntervalMs;
  return {
    samplingInterval: t.samplingIntervalMs,
    queueSize: t.queueSize > 0 ? t.queueSize : Math.max(1, Math.ceil(publishing / Math.max(sampling, 1))),
    discardOldest: t.discardOldest,
    filter:
      t.deadbandType === 'none'
        ? null
        : new DataChangeFilter({
            trigger: DataChangeTrigger.StatusValue,
            deadbandType: t.deadbandType === 'absolute' ? DeadbandType.Absolute : DeadbandType.Percent,
            deadbandValue: t.deadbandValue,
          }),
  };
};
