import { describe, expect, it } from 'vitest';
import {
  ModbusClosedError,
  ModbusFrameError,
  ModbusRequestError,
  ModbusTimeoutError,
} from '../../main/collect/modbus/errors.js';
import { RtuExchange, type RtuExchangeOptions } from '../../main/collect/modbus/rtu-exchange.js';
import { crc16 } from '../../main/collect/modbus/rtu-frame.js';
import {
  characterMs,
  describeSerialOpenError,
  interFrameSilenceMs,
} from '../../main/collect/modbus/rtu-serial-transport.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The queue and pairing logic of an RTU line, with the line played by the test: it sees each frame written and
 * answers with bytes of its choosing (bad CRC, another unit) that a well-behaved device would never send.
 * The transports themselves are tested against pymodbus in test/integration/modbus-rtu.test.ts.
 */

const withCrc = (bytes: number[]): Buffer => {
  const body = Buffer.from(bytes);
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(crc16(body));
  return Buffer.concat([body, crc]);
};

interface Written {
  frame: Buffer;
  at: number;
}

const line = (over: Partial<RtuExchangeOptions> = {}) => {
  const written: Written[] = [];
  const ex = new RtuExchange({
    target: 'test line',
    write: (frame) => {
      written.push({ frame, at: performance.now() });
      return true;
    },
    silenceMs: 0,
    transmitMs: () => 0,
    broadcastTurnaroundMs: 0,
    ...over,
  });
  return { ex, written };
};

/** Lets the exchange's queued sends run (its silence waits are timers). */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

describe('RtuExchange', () => {
  it('sends one request at a time, in the order asked', async () => {
    const { ex, written } = line();
    const answers = [0, 1, 2].map((a) => ex.request(1, { fc: 6, address: a, value: a + 10 }, 5000));
    await settle();
    expect(written).toHaveLength(1);
    for (let a = 0; a < 3; a++) {
      expect(written[a]!.frame.readUInt16BE(2)).toBe(a);
      ex.onData(withCrc([1, 6, 0, a, 0, a + 10]));
      await settle();
      expect(written).toHaveLength(Math.min(a + 2, 3));
    }
    expect(await Promise.all(answers)).toEqual([0, 1, 2].map((a) => ({ fc: 6, address: a, value: a + 10 })));
  });

  it('fails a bad CRC with ModbusFrameError and goes on with the next request', async () => {
    const { ex } = line();
    const first = ex.request(1, { fc: 3, address: 0, quantity: 1 }, 5000);
    const second = ex.request(1, { fc: 3, address: 0, quantity: 1 }, 5000);
    await settle();
    const bad = withCrc([1, 3, 2, 0, 7]);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
    ex.onData(bad);
    await expect(first).rejects.toBeInstanceOf(ModbusFrameError);
    await settle();
    ex.onData(withCrc([1, 3, 2, 0, 7]));
    expect(await second).toEqual({ fc: 3, registers: [7] });
  });

  it('rejects an answer from another unit', async () => {
    const { ex } = line();
    const p = ex.request(1, { fc: 3, address: 0, quantity: 1 }, 5000);
    await settle();
    ex.onData(withCrc([2, 3, 2, 0, 7]));
    await expect(p).rejects.toThrow(/answer from unit 2 while waiting for unit 1/);
  });

  it('times out, and drops the late answer instead of giving it to the next request', async () => {
    const { ex, written } = line();
    await expect(ex.request(1, { fc: 3, address: 0, quantity: 1 }, 30)).rejects.toBeInstanceOf(ModbusTimeoutError);
    ex.onData(withCrc([1, 3, 2, 0, 1])); // the late answer: nobody waits for it
    const next = ex.request(1, { fc: 3, address: 5, quantity: 1 }, 5000);
    await settle();
    expect(written).toHaveLength(2);
    ex.onData(withCrc([1, 3, 2, 0, 2]));
    expect(await next).toEqual({ fc: 3, registers: [2] });
  });

  it('keeps the line silent for silenceMs after the last byte heard', async () => {
    const silenceMs = 15;
    const { ex, written } = line({ silenceMs });
    const first = ex.request(1, { fc: 6, address: 0, value: 1 }, 5000);
    const second = ex.request(1, { fc: 6, address: 0, value: 1 }, 5000);
    await settle();
    const heard = performance.now();
    ex.onData(withCrc([1, 6, 0, 0, 0, 1]));
    await first;
    await settle();
    await waitFor(() => written.length === 2, 15_000, 'the second request');
    expect(written[1]!.at - heard).toBeGreaterThanOrEqual(silenceMs);
    ex.onData(withCrc([1, 6, 0, 0, 0, 1]));
    await second;
  });

  it('resolves a broadcast write at once with the echo, and refuses a broadcast read', async () => {
    const { ex, written } = line();
    expect(await ex.request(0, { fc: 16, address: 4, values: [1, 2] }, 5000)).toEqual({
      fc: 16,
      address: 4,
      quantity: 2,
    });
    expect(written[0]!.frame[0]).toBe(0);
    await expect(ex.request(0, { fc: 3, address: 0, quantity: 1 }, 5000)).rejects.toBeInstanceOf(ModbusRequestError);
    await expect(ex.request(248, { fc: 3, address: 0, quantity: 1 }, 5000)).rejects.toBeInstanceOf(ModbusRequestError);
    expect(written).toHaveLength(1);
  });

  it('failAll rejects the request on the line and everything queued', async () => {
    const { ex, written } = line();
    const ps = [1, 2, 3].map((u) => ex.request(u, { fc: 3, address: 0, quantity: 1 }, 60_000));
    // Observed from the start, so the rejections are never unhandled.
    const settled = Promise.allSettled(ps);
    await settle();
    ex.failAll(new ModbusClosedError('gone'));
    await settle();
    // Nothing queued was put on the line after the failure.
    expect(written).toHaveLength(1);
    const results = await settled;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
  });
});

describe('serial line timing and errors', () => {
  it('counts 3.5 characters of silence up to 19200 baud, 1.75 ms above', () => {
    const s = { path: 'x', baudRate: 9600, dataBits: 8, parity: 'even', stopBits: 1 } as const;
    expect(characterMs(s)).toBeCloseTo((11 * 1000) / 9600, 9);
    expect(interFrameSilenceMs(s)).toBeCloseTo((3.5 * 11 * 1000) / 9600, 9);
    expect(characterMs({ ...s, parity: 'none', stopBits: 2 })).toBeCloseTo((11 * 1000) / 9600, 9);
    expect(characterMs({ ...s, parity: 'none', dataBits: 7 })).toBeCloseTo((9 * 1000) / 9600, 9);
    expect(interFrameSilenceMs({ ...s, baudRate: 38400 })).toBe(1.75);
  });

  it("reads the native binding's open errors", () => {
    // The strings the binding produces (bindings-cpp, serialport_unix.cpp and serialport_win.cpp).
    expect(
      describeSerialOpenError('/dev/ttyUSB0', 'Error: No such file or directory, cannot open /dev/ttyUSB0'),
    ).toEqual({
      text: 'serial port /dev/ttyUSB0 does not exist (is the adapter plugged in?)',
      errno: 'ENOENT',
    });
    const denied = describeSerialOpenError('/dev/ttyS0', 'Error: Permission denied, cannot open /dev/ttyS0');
    expect(denied.errno).toBe('EACCES');
    expect(denied.text).toMatch(/dialout group/);
    expect(describeSerialOpenError('/dev/ttyS0', 'Error Resource temporarily unavailable Cannot lock port').errno).toBe(
      'EBUSY',
    );
    expect(describeSerialOpenError('COM3', 'Opening COM3: Access denied').errno).toBe('EBUSY');
    expect(describeSerialOpenError('COM9', 'Opening COM9: File not found').errno).toBe('ENOENT');
    expect(describeSerialOpenError('COM3', 'Opening COM3: Unknown error code 31')).toEqual({
      text: 'Opening COM3: Unknown error code 31',
      errno: undefined,
    });
  });
});
