import { getExtraDataTypeManager, type ClientSession } from 'node-opcua';
import type { OpcUaTag } from '../../config/opcua-schema.js';
import { settle } from '../timeout.js';

/**
 * Prepares node-opcua's structure type manager (namespace array; for a 1.04 server the types themselves follow
 * lazily, one read per type when a value needs it; a 1.03 server's dictionaries are read here) before any
 * monitored item exists, when tags read structure fields. node-opcua would otherwise start this at the first
 * structured notification, and a session closed during that read rejects a promise nobody handles, which ends a
 * headless process. Done here it is awaited and bounded; if it fails the values arrive undecoded and their tags
 * say so.
 */
export const prepareStructureTypes = async (
  session: ClientSession,
  tags: readonly { tag: OpcUaTag }[],
  setupMs: number,
): Promise<void> => {
  if (!tags.some((t) => t.tag.field !== '')) return;
  await settle(getExtraDataTypeManager(session), setupMs);
};
