import { fileURLToPath } from 'node:url';
import { startPeer } from './child-process.js';

/** Runs test/fixtures/pymodbus_server.py (an independent Modbus peer) and waits for its READY line. */
export interface PyModbus {
  port: number;
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL('../fixtures/pymodbus_server.py', import.meta.url));
const python = '/usr/bin/python3';

export interface PyModbusOptions {
  /** JSON register map for unit 3 (see the fixture's docstring). */
  mapFile?: string;
  /** Never answer unit ids the server does not have. */
  ignoreMissing?: boolean;
}

/** Modbus TCP; every unit id answers unless a map file is given (units 1 and 3). */
export const startPyModbus = async (port = 0, opts: PyModbusOptions = {}): Promise<PyModbus> => {
  const args = [script, String(port)];
  if (opts.mapFile) args.push('--map', opts.mapFile);
  if (opts.ignoreMissing) args.push('--ignore-missing');
  const peer = await startPeer('pymodbus server', python, args, /READY (\d+)/);
  return { port: Number(peer.ready), stop: peer.stop };
};

/** RTU framing over TCP, like a transparent serial gateway; only `units` answer, unit 0 is broadcast. */
export const startPyModbusRtuOverTcp = async (port = 0, units = [1]): Promise<PyModbus> => {
  const args = [script, '--rtu', String(port), '--units', ...units.map(String)];
  const peer = await startPeer('pymodbus RTU-over-TCP server', python, args, /READY (\d+)/);
  return { port: Number(peer.ready), stop: peer.stop };
};

export interface PySerialOptions {
  baudRate: number;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
  dataBits: 7 | 8;
  units?: number[];
}

/** pymodbus's serial server with the RTU framer on `device`; only `units` answer, unit 0 is broadcast. */
export const startPyModbusSerial = async (device: string, o: PySerialOptions): Promise<{ stop(): Promise<void> }> => {
  const parity = { none: 'N', even: 'E', odd: 'O' }[o.parity];
  const args = [
    script,
    '--serial',
    device,
    '--baud',
    String(o.baudRate),
    '--parity',
    parity,
    '--stopbits',
    String(o.stopBits),
    '--bytesize',
    String(o.dataBits),
    '--units',
    ...(o.units ?? [1]).map(String),
  ];
  const peer = await startPeer('pymodbus serial server', python, args, /READY (\S+)/);
  return { stop: peer.stop };
};
