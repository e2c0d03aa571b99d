/**
 * The OPC UA errors the app's handlers tell apart, and helpers they need, in a module that does not load
 * node-opcua: the handlers check errors with instanceof, and importing them must not pull in the OPC UA stack
 * (about 2 s at start) before a device or a call needs it.
 */

export class EndpointDiscoveryError extends Error {
  override readonly name = 'EndpointDiscoveryError';
}

export class PkiError extends Error {
  override readonly name = 'PkiError';
  constructor(
    message: string,
    readonly code: 'not_found' | 'failed',
  ) {
    super(message);
  }
}

export type BrowseErrorKind =
  /** Cannot reach or log in to the server. */
  | 'not_connected'
  /** The server does not know the node. */
  | 'node_unknown'
  /** Refused before sending: the value does not fit, the node is read-only or not a variable. */
  | 'refused'
  /** The server answered with a bad status. */
  | 'server_error';

export class OpcUaBrowseError extends Error {
  override readonly name = 'OpcUaBrowseError';
  constructor(
    readonly kind: BrowseErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** A thumbprint as the contract gives it (AB:CD... or abcd...) in the canonical form: 40 hex, upper case. */
export const normalizeThumbprint = (t: string): string => t.replace(/[^0-9a-f]/gi, '').toUpperCase();
