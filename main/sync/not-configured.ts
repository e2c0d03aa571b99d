// The error a cloud call throws while sync cannot make it (no key, a blocked address, an unregistered device).

/** A cloud call was made with no key set or before the device is registered. */
export class TwinEdgeNotConfigured extends Error {
  override readonly name = 'TwinEdgeNotConfigured';
}
