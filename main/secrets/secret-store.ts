/**
 * Where the app keeps secrets (device passwords now, the TwinEdge API key later): the OS keychain, never the
 * store, a config file or a log. Implementations throw SecretStoreError with a message a plant engineer can act
 * on ("no keychain on this machine: ...").
 */
export interface SecretStore {
  /** Where secrets go, for messages and the UI: "the OS keychain (Secret Service)". */
  readonly description: string;
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export class SecretStoreError extends Error {
  override readonly name = 'SecretStoreError';
  constructor(
    message: string,
    readonly code: 'unavailable' | 'denied' | 'failed',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The key of a device's password (OPC UA user name login). */
export const devicePasswordKey = (deviceId: number): string => `device/${deviceId}/password`;
