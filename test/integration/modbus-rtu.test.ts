import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SerialSettings } from '../../main/domain/device/modbus-schema.js';
import {
  ModbusClosedError,
  ModbusConnectError,
  ModbusExceptionError,
  ModbusRequestError,
  ModbusTimeoutError,
} from '../../main/collect/modbus/errors.js';
import type { ModbusRequest, ModbusResponse } from '../../main/collect/modbus/pdu.js';
import { RtuSerialTransport } from '../../main/collect/modbus/rtu-serial-transport.js';
import { RtuTcpTransport } from '../../main/collect/modbus/rtu-tcp-transport.js';
import type { ModbusTransport } from '../../main/collect/modbus/transport.js';
import { startPyModbusRtuOverTcp, startPyModbusSerial } from '../helpers/pymodbus.js';
import { startPtyPair } from '../helpers/pty-pair.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Our RTU transports against pymodbus 3.0 with its RTU framer: over a socat pseudo-terminal pair (serial) and
 * over TCP (a transparent gateway). pymodbus serves unit 1 only and ignores other units, as a real line would.
 */

// Generous: a loaded test machine must not turn a slow answer into a failure.
const TIMEOUT = 10_000;
/** Short: the unit that is not there must time out, and the test waits for it. */
const SILENT_TIMEOUT = 300;

// Values preloaded by test/fixtures/pymodbus_server.py.
const HR_0_11 = [0x42f6, 0xe979, 0x0000, 0xc22a, 0xf8a4, 0x32eb, 0x5e00, 0xb2d0, 0xfb2e, 1234, 0x79e9, 0xf642];
const COILS_0_7 = [true, false, true, true, false, false, false, true];

const ask = (t: ModbusTransport, req: ModbusRequest, unitId = 1, timeoutMs = TIMEOUT): Promise<ModbusResponse> =>
  t.request(unitId, req, timeoutMs);

const failure = async (p: Promise<unknown>): Promise<unknown> => {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the request to fail');
};

/** The same checks for both transports; `transport()` is the connected transport under test. */
const lineChecks = (transport: () => ModbusTransport): void => {
  it('is a one-request line', () => {
    expect(transport().maxInFlight).toBe(1);
    expect(transport().connected).toBe(true);
  });

  it('reads holding and input registers, coils and discrete inputs', async () => {
    const t = transport();
    expect(await ask(t, { fc: 3, address: 0, quantity: 12 })).toEqual({ fc: 3, registers: HR_0_11 });
    expect(await ask(t, { fc: 3, address: 98, quantity: 2 })).toEqual({ fc: 3, registers: [0x3fc0, 0] });
    expect(await ask(t, { fc: 4, address: 0, quantity: 2 })).toEqual({ fc: 4, registers: [0xfffb, 0] });
    expect(await ask(t, { fc: 1, address: 0, quantity: 8 })).toEqual({ fc: 1, bits: COILS_0_7 });
    expect(await ask(t, { fc: 2, address: 0, quantity: 5 })).toEqual({
      fc: 2,
      bits: [false, false, false, true, false],
    });
  });

  it('writes with FC 5, 6, 15 and 16 and reads the values back', async () => {
    const t = transport();
    expect(await ask(t, { fc: 5, address: 1, value: true })).toEqual({ fc: 5, address: 1, value: true });
    expect(await ask(t, { fc: 6, address: 50, value: 4321 })).toEqual({ fc: 6, address: 50, value: 4321 });
    // The fixture has 8 coils; coils 4-7 are free for this test.
    const bits = [true, false, true, false];
    expect(await ask(t, { fc: 15, address: 4, values: bits })).toEqual({ fc: 15, address: 4, quantity: 4 });
    expect(await ask(t, { fc: 16, address: 60, values: [1, 0xffff, 300] })).toEqual({
      fc: 16,
      address: 60,
      quantity: 3,
    });

    expect(await ask(t, { fc: 1, address: 0, quantity: 2 })).toEqual({ fc: 1, bits: [true, true] });
    expect(await ask(t, { fc: 3, address: 50, quantity: 1 })).toEqual({ fc: 3, registers: [4321] });
    expect(await ask(t, { fc: 1, address: 4, quantity: 4 })).toEqual({ fc: 1, bits });
    expect(await ask(t, { fc: 3, address: 60, quantity: 3 })).toEqual({ fc: 3, registers: [1, 0xffff, 300] });
  });

  it('reports an illegal address as ModbusExceptionError with its code', async () => {
    const e = await failure(ask(transport(), { fc: 3, address: 150, quantity: 1 }));
    expect(e).toBeInstanceOf(ModbusExceptionError);
    expect(e).toMatchObject({ functionCode: 3, exceptionCode: 2 });
    // The line is still in step afterwards.
    expect(await ask(transport(), { fc: 3, address: 9, quantity: 1 })).toEqual({ fc: 3, registers: [1234] });
  });

  it('times out on a unit nobody serves, then the served unit still answers', async () => {
    const t = transport();
    const e = await failure(ask(t, { fc: 3, address: 0, quantity: 1 }, 5, SILENT_TIMEOUT));
    expect(e).toBeInstanceOf(ModbusTimeoutError);
    expect((e as Error).message).toMatch(/unit 5/);
    expect(await ask(t, { fc: 3, address: 9, quantity: 1 })).toEqual({ fc: 3, registers: [1234] });
  });

  it('queues concurrent requests and answers each with its own response', async () => {
    const t = transport();
    const addresses = Array.from({ length: 12 }, (_, i) => i);
    const answers = await Promise.all(addresses.map((a) => ask(t, { fc: 3, address: a, quantity: 1 })));
    expect(answers).toEqual(addresses.map((a) => ({ fc: 3, registers: [HR_0_11[a]] })));
  });

  it('sends a broadcast write to unit 0 without waiting for an answer; the unit acts on it', async () => {
    const t = transport();
    expect(await ask(t, { fc: 6, address: 70, value: 99 }, 0)).toEqual({ fc: 6, address: 70, value: 99 });
    expect(await ask(t, { fc: 3, address: 70, quantity: 1 })).toEqual({ fc: 3, registers: [99] });
    // A read cannot be broadcast: refused before anything is sent.
    expect(await failure(ask(t, { fc: 3, address: 0, quantity: 1 }, 0))).toBeInstanceOf(ModbusRequestError);
  });
};

describe('RtuSerialTransport against pymodbus serial server over a socat pty pair', () => {
  const dir = tempDir('twinedge-rtu-');
  const stops: (() => Promise<void>)[] = [];
  let serial: SerialSettings;
  let t: RtuSerialTransport;

  beforeAll(async () => {
    const pty = await startPtyPair(dir.path);
    stops.push(() => pty.stop());
    // No parity: this kernel refuses PARENB (and CS7) on a pty with EINVAL, which pyserial turns into a failed
    // open. A pty carries bytes, not bits, so parity would not be exercised anyway.
    serial = { path: pty.b, baudRate: 19200, dataBits: 8, parity: 'none', stopBits: 1 };
    const py = await startPyModbusSerial(pty.a, serial);
    stops.push(() => py.stop());
    t = new RtuSerialTransport(serial);
    stops.push(() => t.close());
    await t.connect();
  });

  afterAll(async () => {
    // Every stop runs, even when one fails or a start failed half-way.
    const results = await Promise.allSettled(stops.reverse().map((s) => s()));
    dir.remove();
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  });

  it('names its line the way an engineer reads it', () => {
    expect(t.target).toBe(`${serial.path} 19200 8N1`);
  });

  lineChecks(() => t);

  it('says so when the port does not exist', async () => {
    const missing = new RtuSerialTransport({ ...serial, path: `${dir.path}/ttyNOPE` });
    const e = await failure(missing.connect());
    expect(e).toBeInstanceOf(ModbusConnectError);
    expect(e).toMatchObject({ errno: 'ENOENT' });
    expect((e as Error).message).toMatch(/does not exist/);
    expect(missing.connected).toBe(false);
  });

  it('says so when another program holds the port', async () => {
    const second = new RtuSerialTransport(serial);
    const e = await failure(second.connect());
    expect(e).toBeInstanceOf(ModbusConnectError);
    expect(e).toMatchObject({ errno: 'EBUSY' });
    expect((e as Error).message).toMatch(/busy/);
    // The first transport is unaffected.
    expect(await ask(t, { fc: 3, address: 9, quantity: 1 })).toEqual({ fc: 3, registers: [1234] });
  });

  it('emits close and rejects the pending request when the port goes away', async () => {
    // A line of its own: stopping socat removes both pty ends, like unplugging a USB adapter.
    const own = await startPtyPair(dir.path, 'unplug');
    stops.push(() => own.stop());
    const u = new RtuSerialTransport({ ...serial, path: own.b });
    stops.push(() => u.close());
    await u.connect();
    const reasons: string[] = [];
    u.on('close', (reason) => reasons.push(reason));
    const pending = failure(ask(u, { fc: 3, address: 0, quantity: 1 }, 1, 60_000));
    await own.stop();
    await waitFor(() => reasons.length === 1, 15_000, 'the close event');
    expect(reasons[0]).toMatch(/went away/);
    expect(await pending).toBeInstanceOf(ModbusClosedError);
    expect(u.connected).toBe(false);
  });

  it('rejects requests after close and reopens', async () => {
    await t.close();
    expect(t.connected).toBe(false);
    expect(await failure(ask(t, { fc: 3, address: 9, quantity: 1 }))).toBeInstanceOf(ModbusClosedError);
    await t.connect();
    expect(await ask(t, { fc: 3, address: 9, quantity: 1 })).toEqual({ fc: 3, registers: [1234] });
  });
});

describe('RtuTcpTransport against pymodbus TCP server with the RTU framer', () => {
  let py: Awaited<ReturnType<typeof startPyModbusRtuOverTcp>> | null = null;
  let t: RtuTcpTransport;

  beforeAll(async () => {
    py = await startPyModbusRtuOverTcp();
    t = new RtuTcpTransport({ host: '127.0.0.1', port: py.port, connectTimeoutMs: TIMEOUT });
    await t.connect();
  });

  afterAll(async () => {
    await Promise.allSettled([t?.close(), py?.stop()]);
  });

  it('names its line with its framing', () => {
    expect(t.target).toBe(`127.0.0.1:${py!.port} (RTU over TCP)`);
  });

  lineChecks(() => t);

  it('gives the Modbus TCP client wording when nobody listens', async () => {
    // A port that was free a moment ago: connection refused.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const refused = new RtuTcpTransport({ host: '127.0.0.1', port, connectTimeoutMs: TIMEOUT });
    const e = await failure(refused.connect());
    expect(e).toBeInstanceOf(ModbusConnectError);
    expect(e).toMatchObject({ errno: 'ECONNREFUSED' });
    expect((e as Error).message).toBe(`cannot connect to 127.0.0.1:${port}: connection refused`);
  });

  it('emits close and rejects requests when the gateway goes away', async () => {
    const reasons: string[] = [];
    t.on('close', (reason) => reasons.push(reason));
    await py!.stop();
    await waitFor(() => reasons.length === 1, 15_000, 'the close event');
    expect(t.connected).toBe(false);
    expect(await failure(ask(t, { fc: 3, address: 0, quantity: 1 }))).toBeInstanceOf(ModbusClosedError);
  });
});
