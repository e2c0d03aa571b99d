import { getExtraDataTypeManager, type ClientSession } from 'node-opcua';
import type { OpcUaTag } from '../../domain/device/opcua-schema.js';
import { settle } from '../timeout.js';

/**
 * Reads the server's structure types (DataTypeDefinition, or the legacy dictionary) before any monitored item
 * exists, when tags read structure fields. node-opcua would otherwise start this at the first structured
 * notification, and a session closed during that read rejects a promise nobody handles, which ends a headless
 * process. Done here it is awaited and bounded; if it fails the values arrive undecoded and their tags say so.
 * node-opcua's Lazy strategy (one read per type on demand) was tried: with 1,000 structured items it delivered no
 * notification at all, so its eager default stays.
 */
export const prepareStructureTypes = async (
  session: ClientSession,
  tags: readonly { tag: OpcUaTag }[],
  setupMs: number,
): Promise<void> => {
  if (!tags.some((t) => t.tag.field !== '')) return;
  await settle(getExtraDataTypeManager(session), setupMs);
};
