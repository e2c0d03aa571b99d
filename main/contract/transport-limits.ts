/**
 * Limits of one WebSocket connection in browser mode, shared by the server (main/server/ws-transport.ts) and
 * the browser client (renderer/src/lib/bridge-ws.ts) so the client can answer an oversized call itself instead
 * of losing its connection.
 */

/**
 * The largest call message. A device may have 100,000 tags (main/config/device-schema.ts); saving one sends
 * every tag: about 35 MiB for tags with 35-character names and 80-character browse paths, 56 MiB at 80-character
 * names, 100-character node ids and 200-character browse paths. 128 MiB leaves room for longer paths too.
 */
export const MAX_CALL_BYTES = 128 * 1024 * 1024;

/** Calls of one connection being answered at a time; more are answered "busy" at once, not queued. */
export const MAX_CALLS_IN_FLIGHT = 256;

/** The answer to a call past MAX_CALL_BYTES, in words for the person saving the device. */
export const tooLargeMessage = (bytes: number): string =>
  `This change is too large to send in one step: ${(bytes / 1048576).toFixed(1)} MiB, at most ${MAX_CALL_BYTES / 1048576} MiB. ` +
  'A device of 100,000 tags fits unless its names, node ids or browse paths are very long: split the device in two.';

/** The answer to a call past MAX_CALLS_IN_FLIGHT. */
export const busyMessage = `TwinEdge is busy: ${MAX_CALLS_IN_FLIGHT} calls from this window are still being answered. Try again in a moment.`;
