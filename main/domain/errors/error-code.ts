// What kind of failure an error is, so the UI can branch on it.

export type ErrorCode =
  | 'invalid_input'
  | 'unknown_call'
  | 'not_found'
  | 'conflict'
  | 'store_unavailable'
  | 'unavailable'
  /** The device refused a request or did not answer (the message says which). */
  | 'device_error'
  | 'internal';
