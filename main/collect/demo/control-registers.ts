import type { z } from 'zod';
import type { ModbusTag } from '../../domain/device/modbus-schema.js';

/**
 * The demo Modbus server's "controller" registers, after the signal block: a writable level setpoint the
 * simulated PI loop follows, a batch id string, a packed status word and a word-swapped energy counter, so a
 * new user meets each kind of Modbus tag (and can try a write) without hardware.
 */
export const CONTROL_BASE = 100;

export const controlAddresses = {
  levelSetpoint: CONTROL_BASE, // float32 ABCD, 2 registers
  batchId: CONTROL_BASE + 2, // string, 8 registers (16 characters)
  statusWord: CONTROL_BASE + 10, // bit 0 running, bit 1 tripped, bit 2 backflushing
  energyCounter: CONTROL_BASE + 11, // uint32 CDAB, 0.1 kWh per count
} as const;

export const CONTROL_REGISTERS = 13;
export const BATCH_ID_REGISTERS = 8;
export const DEFAULT_BATCH_ID = 'B-20261130-01';

type TagInput = z.input<typeof ModbusTag>;

export const controlTags: TagInput[] = [
  {
    name: 'T-101 level setpoint',
    unit: '%',
    area: 'holding',
    address: controlAddresses.levelSetpoint,
    dataType: 'float32',
    wordOrder: 'ABCD',
  },
  {
    name: 'Batch ID',
    area: 'holding',
    address: controlAddresses.batchId,
    dataType: 'string',
    length: BATCH_ID_REGISTERS,
  },
  { name: 'Status: P-101 running', area: 'holding', address: controlAddresses.statusWord, dataType: 'bool', bit: 0 },
  { name: 'Status: P-101 tripped', area: 'holding', address: controlAddresses.statusWord, dataType: 'bool', bit: 1 },
  {
    name: 'Status: F-101 backflushing',
    area: 'holding',
    address: controlAddresses.statusWord,
    dataType: 'bool',
    bit: 2,
  },
  {
    name: 'P-101 energy counter',
    unit: 'kWh',
    area: 'holding',
    address: controlAddresses.energyCounter,
    dataType: 'uint32',
    wordOrder: 'CDAB',
    scale: 0.1,
  },
];
