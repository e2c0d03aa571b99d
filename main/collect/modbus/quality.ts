import { StatusCodes } from '../../domain/sample/status-codes.js';
import { ModbusError, ModbusExceptionError } from './errors.js';

/**
 * Modbus outcomes as OPC UA status codes, so both protocols share one quality model. The exception code itself
 * stays in the tag's problem message ("exception 02: illegal data address 40101").
 */
const exceptionQuality: Record<number, number> = {
  1: StatusCodes.BadNotSupported,
  2: StatusCodes.BadNodeIdUnknown,
  3: StatusCodes.BadOutOfRange,
  4: StatusCodes.BadDeviceFailure,
  5: StatusCodes.BadResourceUnavailable,
  6: StatusCodes.BadResourceUnavailable,
  10: StatusCodes.BadNoCommunication,
  11: StatusCodes.BadTimeout,
};

export const qualityForError = (e: unknown): number => {
  if (e instanceof ModbusExceptionError) return exceptionQuality[e.exceptionCode] ?? StatusCodes.Bad;
  if (e instanceof ModbusError) {
    if (e.code === 'timeout') return StatusCodes.BadTimeout;
    if (e.code === 'closed' || e.code === 'connect_failed') return StatusCodes.BadNoCommunication;
  }
  return StatusCodes.BadCommunicationError;
};
