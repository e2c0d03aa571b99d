import { getExtraDataTypeManager, type ClientSession } from 'node-opcua';
import type { OpcUaTag } from '../../config/opcua-schema.js';
import { settle } from '../timeout.js';

/**
 * Reads the server's structure types (DataTypeDefinition, or the legacy dictionary) before any monitored item
 * exists, when tags read structure fields. node-opcua would do it lazily at the first structured notification,
 * but a session closed during that lazy read rejects a promise nobody handles, which ends a headless process.
 * Done here, the read is awaited and bounded; if it fails the values arrive undecoded and their tags say so.
 */
export const prepareStructureTypes = async (
  session: ClientSession,
  tags: readonly { tag: OpcUaTag }[],
  setupMs: number,
): Promise<void> => {
  if (!tags.some((t) => t.tag.field !== '')) return;
  await settle(getExtraDataTypeManager(session), setupMs);
};
