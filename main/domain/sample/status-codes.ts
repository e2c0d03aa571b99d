import type { Quality } from './quality.js';

// OPC UA status codes as the one quality model of both protocols.

/** OPC UA status codes used as sample quality, so both protocols share one quality model. */
export const StatusCodes = {
  Good: 0x00000000,
  UncertainLastUsableValue: 0x40900000,
  Bad: 0x80000000,
  BadCommunicationError: 0x80050000,
  BadResourceUnavailable: 0x80040000,
  BadNotSupported: 0x803d0000,
  BadOutOfRange: 0x803c0000,
  BadTimeout: 0x800a0000,
  BadNoCommunication: 0x80310000,
  BadNodeIdUnknown: 0x80340000,
  BadOutOfService: 0x808d0000,
  BadDeviceFailure: 0x808b0000,
  /** Data is missing: collection lost it (here: dropped from memory while the store could not be written). */
  BadDataLost: 0x809d0000,
} as const;

export const qualityOf = (code: number): Quality => {
  const severity = code >>> 30;
  return severity === 0 ? 'good' : severity === 1 ? 'uncertain' : 'bad';
};
