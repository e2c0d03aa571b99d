// One connection attempt of the collector: its node-opcua objects, the client and subscription it asks for, and the
// error a setup step raises when stop() came meanwhile.
import { OPCUAClient, type ClientSession, type ClientSubscription } from 'node-opcua';
import type { OpcUaSettings } from '../../domain/device/opcua-schema.js';
import { clientOptions } from './client-options.js';
import type { OpcUaPki } from './pki.js';

/** Internal: a setup step noticed that stop() was called meanwhile. */
export class CollectorStoppedError extends Error {
  readonly code = 'stopped';
  constructor() {
    super('collector stopped');
    this.name = 'CollectorStoppedError';
  }
}

/** One attempt's node-opcua objects, torn down together. */
export interface Connection {
  client: OPCUAClient;
  session: ClientSession | null;
  subscription: ClientSubscription | null;
}

/** Configured once per client: node-opcua's reconnection keeps this security and login. */
export const createCollectorClient = (
  s: OpcUaSettings,
  pki: OpcUaPki,
  deviceId: number,
  maxDelayMs: number,
): OPCUAClient =>
  OPCUAClient.create({
    ...clientOptions(s, pki),
    clientName: `TwinEdge device ${deviceId}`,
    keepSessionAlive: true,
    requestedSessionTimeout: 60_000,
    // maxRetry 1 keeps the first connect short (our loop reports each failure) and, being > 0,
    // turns on node-opcua's endless reconnection once a connection was made.
    connectionStrategy: { maxRetry: 1, initialDelay: 250, maxDelay: maxDelayMs },
  });

/** The subscription the collector creates on each session. */
export const subscriptionRequest = (
  s: Pick<OpcUaSettings, 'publishingIntervalMs'>,
): Parameters<ClientSession['createSubscription2']>[0] => ({
  requestedPublishingInterval: s.publishingIntervalMs,
  requestedLifetimeCount: 120,
  requestedMaxKeepAliveCount: 10,
  maxNotificationsPerPublish: 0,
  publishingEnabled: true,
  priority: 10,
});
