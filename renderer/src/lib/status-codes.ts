import { statusCodeHex } from './format.js';

/**
 * Names of the OPC UA status codes an engineer meets when creating monitored items and reading values
 * (OPC 10000-6 A.2, StatusCode.csv). Only the code part (upper 16 bits) is looked up: the low bits are
 * info flags (overflow, limits) and do not change the meaning.
 */
const names: Record<number, string> = {
  0x00000000: 'Good',
  0x002d0000: 'GoodSubscriptionTransferred',
  0x002e0000: 'GoodCompletesAsynchronously',
  0x00960000: 'GoodLocalOverride',
  0x40000000: 'Uncertain',
  0x408f0000: 'UncertainNoCommunicationLastUsableValue',
  0x40900000: 'UncertainLastUsableValue',
  0x40910000: 'UncertainSubstituteValue',
  0x40920000: 'UncertainInitialValue',
  0x40930000: 'UncertainSensorNotAccurate',
  0x80000000: 'Bad',
  0x80010000: 'BadUnexpectedError',
  0x80020000: 'BadInternalError',
  0x80030000: 'BadOutOfMemory',
  0x80040000: 'BadResourceUnavailable',
  0x80050000: 'BadCommunicationError',
  0x800a0000: 'BadTimeout',
  0x800b0000: 'BadServiceUnsupported',
  0x800c0000: 'BadShutdown',
  0x800d0000: 'BadServerNotConnected',
  0x800f0000: 'BadNothingToDo',
  0x80100000: 'BadTooManyOperations',
  0x80130000: 'BadSecurityChecksFailed',
  0x801a0000: 'BadCertificateUntrusted',
  0x801f0000: 'BadUserAccessDenied',
  0x80200000: 'BadIdentityTokenInvalid',
  0x80210000: 'BadIdentityTokenRejected',
  0x80250000: 'BadSessionIdInvalid',
  0x80260000: 'BadSessionClosed',
  0x80280000: 'BadSubscriptionIdInvalid',
  0x80310000: 'BadNoCommunication',
  0x80320000: 'BadWaitingForInitialData',
  0x80330000: 'BadNodeIdInvalid',
  0x80340000: 'BadNodeIdUnknown',
  0x80350000: 'BadAttributeIdInvalid',
  0x80360000: 'BadIndexRangeInvalid',
  0x80370000: 'BadIndexRangeNoData',
  0x803a0000: 'BadNotReadable',
  0x803b0000: 'BadNotWritable',
  0x803c0000: 'BadOutOfRange',
  0x803d0000: 'BadNotSupported',
  0x803e0000: 'BadNotFound',
  0x803f0000: 'BadObjectDeleted',
  0x80410000: 'BadMonitoringModeInvalid',
  0x80420000: 'BadMonitoredItemIdInvalid',
  0x80430000: 'BadMonitoredItemFilterInvalid',
  0x80440000: 'BadMonitoredItemFilterUnsupported',
  0x80450000: 'BadFilterNotAllowed',
  0x80740000: 'BadTypeMismatch',
  0x80890000: 'BadConfigurationError',
  0x808a0000: 'BadNotConnected',
  0x808b0000: 'BadDeviceFailure',
  0x808c0000: 'BadSensorFailure',
  0x808d0000: 'BadOutOfService',
  0x808e0000: 'BadDeadbandFilterInvalid',
  0x809d0000: 'BadDataLost',
  0x80db0000: 'BadTooManyMonitoredItems',
};

/** "BadNodeIdUnknown", or null for a code not in the list. */
export function statusCodeName(code: number): string | null {
  return names[(code & 0xffff0000) >>> 0] ?? null;
}

/** "BadNodeIdUnknown (0x80340000)"; the hex code alone when the name is not known. */
export function statusCodeText(code: number): string {
  const name = statusCodeName(code);
  return name ? `${name} (${statusCodeHex(code)})` : statusCodeHex(code);
}

/**
 * What a code means for a monitored item the server did not create (OPC 10000-4 5.12.2, CreateMonitoredItems
 * results), in the engineer's words; null for other codes.
 */
const meanings: Record<number, string> = {
  0x80330000: 'the node id is not valid (check its syntax)',
  0x80340000: "the node id does not exist in the server's address space",
  0x80350000: 'the node has no Value attribute (it is not a variable)',
  0x80360000: 'the index range is not valid',
  0x80370000: 'there is no data at the index range (the array is shorter)',
  0x803a0000: 'the node may not be read (access level)',
  0x801f0000: 'the user may not read this node',
  0x80410000: 'the server refused the monitoring mode',
  0x80430000: 'the deadband filter is not valid',
  0x80440000: 'the server does not support the deadband filter',
  0x80450000: "a deadband is not allowed for this node's data type",
  0x808e0000: 'the deadband is not valid for this node (a percent deadband needs an EURange)',
  0x80db0000: "the server's limit on monitored items is reached",
  0x80310000: 'not created yet: there is no session to the server',
  0x80100000: 'too many items in one call for the server',
};

/** "the node id does not exist in the server's address space", or null when the code has no meaning listed. */
export function statusCodeMeaning(code: number): string | null {
  return meanings[(code & 0xffff0000) >>> 0] ?? null;
}
