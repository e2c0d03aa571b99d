// Writes of the address-space browser: a value converted to the node's data type, refused (without sending) when it
// cannot fit.
import { AttributeIds, DataType, type NodeId } from 'node-opcua';
import { withTimeout } from '../timeout.js';
import { idText, isBad, type BrowseContext } from './browse-context.js';
import { readAttributes } from './node-reads.js';
import { accessLevelNames, canWrite, coerceForWrite, isWritableType, statusCodeName } from './node-values.js';
import { OpcUaBrowseError } from './opcua-errors.js';
import { builtinType, typeNames } from './type-resolution.js';

const article = (word: string): string => (/^[AEIOU]/.test(word) ? 'an' : 'a');

/** Writes `input` to a variable's value; the answer names the request as sent. */
export const writeNode = async (
  ctx: BrowseContext,
  nodeId: NodeId,
  nodeIdText: string,
  input: number | boolean | string,
): Promise<{ request: string }> => {
  const attrs = [
    AttributeIds.NodeClass,
    AttributeIds.DataType,
    AttributeIds.ValueRank,
    AttributeIds.AccessLevel,
    AttributeIds.UserAccessLevel,
  ] as const;
  const { ok, nodeClass } = await readAttributes(ctx, nodeId, nodeIdText, attrs);
  if (nodeClass !== 'Variable') {
    throw new OpcUaBrowseError(
      'refused',
      `node ${nodeIdText} is ${article(nodeClass)} ${nodeClass}: only variables hold a value`,
    );
  }
  const access = Number(ok(AttributeIds.AccessLevel) ?? 0);
  if (!canWrite(access)) {
    const names = accessLevelNames(access);
    throw new OpcUaBrowseError(
      'refused',
      `node ${nodeIdText} is read-only (AccessLevel: ${names.length ? names.join(', ') : 'none'})`,
    );
  }
  const userAccess = ok(AttributeIds.UserAccessLevel);
  if (userAccess !== null && !canWrite(Number(userAccess))) {
    throw new OpcUaBrowseError('refused', `node ${nodeIdText} is not writable for this login (UserAccessLevel)`);
  }
  const rank = ok(AttributeIds.ValueRank);
  if (typeof rank === 'number' && rank >= 0) {
    throw new OpcUaBrowseError('refused', `node ${nodeIdText} holds an array; writing arrays is not supported here`);
  }
  const typeId = ok(AttributeIds.DataType) as NodeId | null;
  const builtin = typeId ? await builtinType(ctx, typeId) : null;
  const [typeName] = typeId ? await typeNames(ctx, [typeId]) : [null];
  if (builtin === null || !isWritableType(builtin)) {
    throw new OpcUaBrowseError(
      'refused',
      `node ${nodeIdText} has data type ${typeName ?? 'unknown'}; only numbers, Boolean and String can be written here`,
    );
  }
  const coerced = coerceForWrite(builtin, input);
  if (!coerced.ok) throw new OpcUaBrowseError('refused', `not written: ${coerced.reason}`);
  const shownType =
    typeName && typeName !== DataType[builtin] ? `${typeName}: ${DataType[builtin]}` : DataType[builtin];
  const request = `Write ${idText(nodeId)} (${shownType}) = ${coerced.text}`;
  const status = await withTimeout(
    ctx.session.write({
      nodeId,
      attributeId: AttributeIds.Value,
      value: { value: { dataType: builtin, value: coerced.value } },
    }),
    ctx.timeoutMs,
    'write',
  );
  if (isBad(status.value)) {
    throw new OpcUaBrowseError('server_error', `the server refused the write: ${statusCodeName(status.value)}`);
  }
  return { request };
};
