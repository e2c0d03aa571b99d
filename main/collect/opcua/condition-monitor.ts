import {
  AttributeIds,
  DataType,
  TimestampsToReturn,
  Variant,
  MethodIds,
  ObjectTypeIds,
  coerceNodeId,
  findMethodId,
  makeBrowsePath,
  type ClientMonitoredItem,
  type ClientSession,
  type ClientSubscription,
  type OPCUAClient,
  type StatusCode,
} from 'node-opcua';
import type { OpcUaSettings } from '../../domain/device/opcua-schema.js';
import type {
  ConditionControl,
  MethodOutcome,
  ServerEventRecord,
  ServerEventSink,
  ShelveRequest,
} from '../server-events.js';
import { withTimeout } from '../timeout.js';
import { describeOpcUaError } from './messages.js';
import { RefreshEndEvent, RefreshRequiredEvent, RefreshStartEvent, eventFilter, eventRecord } from './event-fields.js';

/**
 * The server's own alarms and events for one OPC UA device: one event monitored item on the notifier (the Server
 * object by default) in the collector's subscription, and ConditionRefresh at connect and after every reconnect, so the
 * list of active conditions is exactly the server's. Acknowledge, Confirm and shelving go back through the session.
 */
export class ConditionMonitor {
  private item: ClientMonitoredItem | null = null;
  private session: ClientSession | null = null;
  private subscription: ClientSubscription | null = null;
  private control: ConditionControl | null = null;
  private buffer: ServerEventRecord[] = [];
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deviceId: number,
    private readonly settings: OpcUaSettings['events'],
    private readonly sink: ServerEventSink,
    private readonly timeoutMs: number,
  ) {}

  /** Called once a connection's session and subscription are up (after the tags' monitored items). Never throws. */
  async attach(session: ClientSession, subscription: ClientSubscription, client: OPCUAClient): Promise<void> {
    if (!this.settings.enabled) return;
    this.session = session;
    this.subscription = subscription;
    try {
      this.item = await withTimeout(
        subscription.monitor(
          { nodeId: coerceNodeId(this.settings.notifierNodeId), attributeId: AttributeIds.EventNotifier },
          { samplingInterval: 0, queueSize: 1000, discardOldest: false, filter: eventFilter() },
          TimestampsToReturn.Both,
        ),
        this.timeoutMs,
        'subscribe to events',
      );
    } catch (e) {
      this.sink.problem(
        this.deviceId,
        `the server refused events from ${this.settings.notifierNodeId}: ${describeOpcUaError(e)}`,
      );
      return;
    }
    this.item.on('changed', (values: Variant[]) => this.received(values));
    const control = this.makeControl(session);
    this.control = control;
    this.sink.attach(this.deviceId, control);
    // While node-opcua repairs the connection the list is only the last known state; once it restored session and
    // subscription, the conditions may have changed meanwhile: refresh.
    client.on('connection_lost', () => {
      if (this.control === control) this.sink.detach(this.deviceId, control, 'lost');
    });
    client.on('connection_reestablished', () => {
      if (this.control === control) this.sink.attach(this.deviceId, control);
    });
    session.on('session_restored', () => {
      if (this.session === session) void this.refresh();
    });
    await this.refresh();
  }

  /** The connection is being torn down; 'stopped' when the collector stops for good. */
  detach(why: 'lost' | 'stopped'): void {
    this.flush();
    // 'stopped' always reaches the sink, so a device stopped while disconnected does not leave stale conditions.
    if (this.control || why === 'stopped') this.sink.detach(this.deviceId, this.control, why);
    this.control = null;
    this.item?.removeAllListeners();
    this.item = null;
    this.session = null;
    this.subscription = null;
  }

  private async refresh(): Promise<void> {
    const session = this.session;
    const sub = this.subscription;
    if (!session || !sub) return;
    try {
      const status = await withTimeout(
        conditionRefresh(session, sub.subscriptionId),
        this.timeoutMs,
        'ConditionRefresh',
      );
      // BadNothingToDo: no conditions at all. Anything else means the list may be incomplete: say so.
      if (status.isGood() || status.name === 'BadNothingToDo') this.sink.problem(this.deviceId, null);
      else
        this.sink.problem(this.deviceId, `ConditionRefresh answered ${status.name}: the alarm list may be incomplete`);
    } catch (e) {
      if (this.session !== session) return;
      this.sink.problem(
        this.deviceId,
        `ConditionRefresh failed (${describeOpcUaError(e)}): the alarm list may be incomplete`,
      );
    }
  }

  private received(values: Variant[]): void {
    const rec = eventRecord(values, Date.now());
    if (rec.eventType === RefreshStartEvent) {
      this.flush();
      this.sink.refreshStarted(this.deviceId);
    } else if (rec.eventType === RefreshEndEvent) {
      this.flush();
      this.sink.refreshEnded(this.deviceId);
    } else if (rec.eventType === RefreshRequiredEvent) {
      // Part 9 4.5: the server lost track of its conditions and asks clients to refresh.
      void this.refresh();
    } else {
      this.buffer.push(rec);
      this.flushTimer ??= setTimeout(() => this.flush(), 10);
    }
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.buffer.length) return;
    const batch = this.buffer;
    this.buffer = [];
    this.sink.onEvents(this.deviceId, batch);
  }

  private makeControl(session: ClientSession): ConditionControl {
    const guard = async (what: string, run: () => Promise<StatusCode>): Promise<MethodOutcome> => {
      try {
        return outcome(await withTimeout(run(), this.timeoutMs, what));
      } catch (e) {
        return { ok: false, status: 'BadCommunicationError', message: describeOpcUaError(e) };
      }
    };
    return {
      acknowledge: (conditionId, eventId, comment) =>
        guard('acknowledge', () =>
          session.acknowledgeCondition(coerceNodeId(conditionId), Buffer.from(eventId, 'hex'), comment),
        ),
      confirm: (conditionId, eventId, comment) =>
        guard('confirm', () =>
          session.confirmCondition(coerceNodeId(conditionId), Buffer.from(eventId, 'hex'), comment),
        ),
      shelve: async (conditionId, request) => {
        try {
          return await withTimeout(this.shelve(session, conditionId, request), this.timeoutMs, 'shelve');
        } catch (e) {
          return { ok: false, status: 'BadCommunicationError', message: describeOpcUaError(e) };
        }
      },
    };
  }

  /** ShelvingState's TimedShelve / OneShotShelve / Unshelve, found on the condition itself (Part 9 5.8.10). */
  private async shelve(session: ClientSession, conditionId: string, request: ShelveRequest): Promise<MethodOutcome> {
    const path = await session.translateBrowsePath(makeBrowsePath(coerceNodeId(conditionId), '.ShelvingState'));
    const shelving = path.targets?.[0]?.targetId;
    if (!path.statusCode.isGood() || !shelving) {
      return { ok: false, status: 'BadNotSupported', message: 'this condition has no shelving on the server' };
    }
    const name = request.kind === 'timed' ? 'TimedShelve' : request.kind === 'oneShot' ? 'OneShotShelve' : 'Unshelve';
    const method = await findMethodId(session, shelving, name);
    if (!method.methodId) {
      return {
        ok: false,
        status: 'BadMethodInvalid',
        message: `the server offers no ${name} method for this condition`,
      };
    }
    const inputArguments =
      request.kind === 'timed' ? [new Variant({ dataType: DataType.Double, value: request.minutes * 60_000 })] : [];
    const result = await session.call({ objectId: shelving, methodId: method.methodId, inputArguments });
    const done = outcome(result.statusCode);
    if (!done.ok) return done;
    const state = await session.translateBrowsePath(makeBrowsePath(shelving, '.CurrentState'));
    const stateNode = state.targets?.[0]?.targetId;
    if (!stateNode) return done;
    const dv = await session.read({ nodeId: stateNode, attributeId: AttributeIds.Value });
    const text: unknown = (dv.value?.value as { text?: unknown } | null)?.text;
    const at = dv.serverTimestamp?.getTime() ?? dv.sourceTimestamp?.getTime() ?? null;
    return typeof text === 'string' && at !== null ? { ...done, shelving: { state: text, at } } : done;
  }
}

/** ConditionRefresh(SubscriptionId), called as Part 9 5.5.7 says: the well-known method id on the ConditionType object. */
const conditionRefresh = async (session: ClientSession, subscriptionId: number): Promise<StatusCode> => {
  const result = await session.call({
    objectId: coerceNodeId(ObjectTypeIds.ConditionType),
    methodId: coerceNodeId(MethodIds.ConditionType_ConditionRefresh),
    inputArguments: [new Variant({ dataType: DataType.UInt32, value: subscriptionId })],
  });
  return result.statusCode;
};

const outcome = (s: StatusCode): MethodOutcome =>
  s.isGood() ? { ok: true, status: 'Good' } : { ok: false, status: s.name, message: s.description || s.name };
