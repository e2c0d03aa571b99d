import { z } from 'zod';
import { StoragePolicy, TagSpan, tagStorage } from '../storage/storage-policy.js';

/**
 * Modbus device and tag settings. Addresses are zero-based offsets within a table (what goes on the
 * wire); the UI and CSV also accept Modicon notation (40001 = holding offset 0), see modbus-address.ts.
 */

export const modbusAreas = ['coil', 'discrete', 'input', 'holding'] as const;
export const modbusDataTypes = [
  'bool',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'float32',
  'int64',
  'uint64',
  'float64',
  'string',
] as const;
/**
 * Byte order of a value on the wire, named by where the big-endian bytes A B C D end up: ABCD big-endian,
 * CDAB word-swapped, BADC byte-swapped, DCBA little-endian. For 64-bit types the same two swaps apply to
 * four words; the 64-bit spellings (ABCDEFGH, GHEFCDAB, BADCFEHG, HGFEDCBA) are accepted and mean the same.
 * 16-bit types and strings only see the byte swap (BADC / DCBA swap the two bytes of each register).
 */
export const modbusWordOrders = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;
export const modbusWordOrders64 = ['ABCDEFGH', 'GHEFCDAB', 'BADCFEHG', 'HGFEDCBA'] as const;
export const modbusTransports = ['tcp', 'rtu', 'rtu-over-tcp'] as const;
export const serialParities = ['none', 'even', 'odd'] as const;
export const serialBaudRates = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;

export type ModbusArea = (typeof modbusAreas)[number];
export type ModbusDataType = (typeof modbusDataTypes)[number];
export type WordOrder = (typeof modbusWordOrders)[number];
export type ModbusTransport = (typeof modbusTransports)[number];

const order64To32: Record<(typeof modbusWordOrders64)[number], WordOrder> = {
  ABCDEFGH: 'ABCD',
  GHEFCDAB: 'CDAB',
  BADCFEHG: 'BADC',
  HGFEDCBA: 'DCBA',
};

/** Canonical (4-letter) order for any accepted spelling. */
export const canonicalOrder = (o: WordOrder | (typeof modbusWordOrders64)[number]): WordOrder =>
  o in order64To32 ? order64To32[o as keyof typeof order64To32] : (o as WordOrder);

/** The order as an engineer reads it for this type (8 letters for 64-bit values). */
export const orderLabel = (dataType: ModbusDataType, order: WordOrder): string => {
  if (!isWide(dataType)) return order;
  return Object.entries(order64To32).find(([, v]) => v === order)?.[0] ?? order;
};

export const isBitArea = (area: ModbusArea): boolean => area === 'coil' || area === 'discrete';
const isWide = (t: ModbusDataType): boolean => t === 'int64' || t === 'uint64' || t === 'float64';

/** Registers a value occupies (bits for coil/discrete tables: 1). */
export const registerCount = (dataType: ModbusDataType, length = 1): number => {
  switch (dataType) {
    case 'bool':
    case 'int16':
    case 'uint16':
      return 1;
    case 'int32':
    case 'uint32':
    case 'float32':
      return 2;
    case 'int64':
    case 'uint64':
    case 'float64':
      return 4;
    case 'string':
      return length;
  }
};

const name = z
  .string()
  .trim()
  .min(1, 'a name is required')
  .max(80, 'at most 80 characters')
  .regex(/^\P{Cc}*$/u, 'no control characters');

const unit = z.string().trim().max(20, 'at most 20 characters').default('');

export const SerialSettings = z.object({
  /** e.g. /dev/ttyUSB0 or COM3 */
  path: z
    .string()
    .trim()
    .max(200)
    .regex(/^[^\s]*$/, 'a serial port like /dev/ttyUSB0 or COM3')
    .default(''),
  baudRate: z
    .number()
    .int()
    .refine((b) => (serialBaudRates as readonly number[]).includes(b), {
      message: `one of ${serialBaudRates.join(', ')}`,
    })
    .default(19200),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
  // The Modbus serial line spec makes even parity the default.
  parity: z.enum(serialParities).default('even'),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
});

export const ModbusSettings = z
  .object({
    transport: z.enum(modbusTransports).default('tcp'),
    host: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9.\-:[\]]*$/, 'a host name or IP address')
      .default(''),
    port: z.number().int().min(1).max(65_535).default(502),
    serial: SerialSettings.default(SerialSettings.parse({})),
    unitId: z.number().int().min(0).max(255).default(1),
    /** Default poll rate; a tag may set its own. */
    pollIntervalMs: z.number().int().min(50).max(3_600_000).default(1000),
    timeoutMs: z.number().int().min(20).max(60_000).default(1000),
    /** Extra tries for a request that timed out, before its tags go bad for this cycle. */
    retries: z.number().int().min(0).max(5).default(1),
    /** Largest stretch of unconfigured addresses read through to merge two reads (registers / bits). */
    maxRegisterGap: z.number().int().min(0).max(124).default(10),
    maxBitGap: z.number().int().min(0).max(1999).default(64),
    /** Some devices answer fewer than the protocol's 125 registers / 2000 bits per read. */
    maxRegistersPerRead: z.number().int().min(1).max(125).default(125),
    maxBitsPerRead: z.number().int().min(1).max(2000).default(2000),
    /** After this many poll cycles in a row with no answer, the device is polled every degradedIntervalMs. */
    degradeAfterFailures: z.number().int().min(1).max(1000).default(3),
    degradedIntervalMs: z.number().int().min(1000).max(3_600_000).default(30_000),
    /** Cap of the reconnect backoff. */
    reconnectMaxDelayMs: z.number().int().min(500).max(300_000).default(10_000),
    /** Use FC 5/6 for one coil / one register; off for devices that only accept FC 15/16. */
    singleWriteFunctions: z.boolean().default(true),
    /** How collected samples are stored; a tag may set its own (tag.storage). */
    storage: StoragePolicy.default(StoragePolicy.parse({})),
  })
  .superRefine((s, ctx) => {
    if (s.transport !== 'rtu' && s.host === '') {
      ctx.addIssue({ code: 'custom', message: 'a host name or IP address is required', path: ['host'] });
    }
    if (s.transport === 'rtu' && s.serial.path === '') {
      ctx.addIssue({
        code: 'custom',
        message: 'a serial port is required, e.g. /dev/ttyUSB0 or COM3',
        path: ['serial', 'path'],
      });
    }
    if (s.transport !== 'tcp' && s.unitId > 247) {
      ctx.addIssue({ code: 'custom', message: 'on a serial line the unit id is 0 to 247', path: ['unitId'] });
    }
  });

export const ModbusTag = z
  .object({
    id: z.number().int().positive().optional(),
    name,
    unit,
    area: z.enum(modbusAreas),
    /** Zero-based offset within the table. */
    address: z.number().int().min(0).max(65_535),
    dataType: z.enum(modbusDataTypes).default('uint16'),
    wordOrder: z
      .enum([...modbusWordOrders, ...modbusWordOrders64])
      .default('ABCD')
      .transform(canonicalOrder),
    /** For bool in a holding/input register: which bit (0 = least significant). */
    bit: z.number().int().min(0).max(15).nullable().default(null),
    /** For strings: registers (two characters each). */
    length: z.number().int().min(1).max(125).default(1),
    scale: z.number().finite().default(1),
    offset: z.number().finite().default(0),
    /** Own poll rate; null uses the device's. */
    pollIntervalMs: z.number().int().min(50).max(3_600_000).nullable().default(null),
    /** Own storage policy; null uses the device's. */
    storage: tagStorage,
    ...TagSpan,
  })
  .superRefine((t, ctx) => {
    const bits = isBitArea(t.area);
    if (bits && t.dataType !== 'bool') {
      ctx.addIssue({ code: 'custom', message: 'coils and discrete inputs are bool', path: ['dataType'] });
    }
    if (!bits && t.dataType === 'bool' && t.bit === null) {
      ctx.addIssue({ code: 'custom', message: 'a bool in a register needs a bit number (0-15)', path: ['bit'] });
    }
    if (t.bit !== null && (bits || t.dataType !== 'bool')) {
      ctx.addIssue({ code: 'custom', message: 'a bit number only applies to a bool in a register', path: ['bit'] });
    }
    const end = t.address + (bits ? 1 : registerCount(t.dataType, t.length));
    if (end > 65_536) {
      ctx.addIssue({ code: 'custom', message: 'the value runs past the last address (65535)', path: ['address'] });
    }
    if (t.dataType === 'string' && (t.scale !== 1 || t.offset !== 0)) {
      ctx.addIssue({ code: 'custom', message: 'a string cannot be scaled', path: ['scale'] });
    }
  });

export type SerialSettings = z.infer<typeof SerialSettings>;
export type ModbusSettings = z.infer<typeof ModbusSettings>;
export type ModbusTag = z.infer<typeof ModbusTag>;

/** Where a device's requests go; devices with the same line share one connection. */
export const lineKey = (s: ModbusSettings): string =>
  s.transport === 'rtu' ? `rtu:${s.serial.path}` : `${s.transport}:${s.host.toLowerCase()}:${s.port}`;

/** A line as an engineer reads it: "10.0.0.5:502", "/dev/ttyUSB0 19200 8E1". */
export const describeLine = (s: ModbusSettings): string => {
  if (s.transport !== 'rtu') return `${s.host}:${s.port}${s.transport === 'rtu-over-tcp' ? ' (RTU over TCP)' : ''}`;
  const p = s.serial.parity === 'none' ? 'N' : s.serial.parity === 'even' ? 'E' : 'O';
  return `${s.serial.path} ${s.serial.baudRate} ${s.serial.dataBits}${p}${s.serial.stopBits}`;
};
