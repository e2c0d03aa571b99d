import { RegisterImage } from '../modbus/register-image.js';
import { ModbusTcpServer } from '../modbus/tcp-server.js';
import { decodeRegisters, encodeRegisters, encodeString } from '../modbus/values.js';
import {
  BATCH_ID_REGISTERS,
  CONTROL_BASE,
  CONTROL_REGISTERS,
  DEFAULT_BATCH_ID,
  controlAddresses,
} from './control-registers.js';
import { limits } from './plant-model.js';
import { modbusImageSize, signals } from './signals.js';

/** Position of each signal in the model's value list, looked up every tick. */
const signalIndex = new Map(signals.map((s, i) => [s.key, i]));

/**
 * The demo plant on Modbus TCP: every numeric signal as a float32 (ABCD) in two holding registers,
 * every bool as a coil, mirrored to input registers / discrete inputs so either area can be tried.
 * Binds 127.0.0.1 only: the demo is not meant to be reachable from the plant network.
 */
export class DemoModbusServer {
  readonly image = new RegisterImage({
    holding: CONTROL_BASE + CONTROL_REGISTERS,
    input: modbusImageSize.registers,
    coils: modbusImageSize.coils,
    discrete: modbusImageSize.coils,
  });
  private readonly server = new ModbusTcpServer(this.image);

  constructor() {
    // Only the setpoint and the batch id take writes; the simulation owns every other value.
    const { levelSetpoint, batchId } = controlAddresses;
    this.image.writable = (area, address, count) =>
      area === 'holding' && address >= levelSetpoint && address + count <= batchId + BATCH_ID_REGISTERS;
    this.image.holding.set(
      encodeRegisters(limits.levelSetpoint, { dataType: 'float32', wordOrder: 'ABCD' }),
      controlAddresses.levelSetpoint,
    );
    this.image.holding.set(encodeString(DEFAULT_BATCH_ID, BATCH_ID_REGISTERS, 'ABCD'), controlAddresses.batchId);
  }

  /**
   * The level setpoint as last written by a client, clamped to what the loop can hold (20-80 %). Like a PLC,
   * the clamped value is written back, so the register never claims a setpoint the loop is not holding.
   */
  levelSetpoint(): number {
    const a = controlAddresses.levelSetpoint;
    const f32 = { dataType: 'float32', wordOrder: 'ABCD' } as const;
    const written = decodeRegisters(this.image.holding.subarray(a, a + 2), f32);
    const held = Number.isFinite(written) ? Math.min(80, Math.max(20, written)) : limits.levelSetpoint;
    if (held !== written) this.image.holding.set(encodeRegisters(held, f32), a);
    return held;
  }

  listen(port: number): Promise<number> {
    return this.server.listen(port, '127.0.0.1');
  }

  get port(): number | null {
    return this.server.port;
  }

  get requests(): number {
    return this.server.requests;
  }

  /** Write the model's values (in `signals` order) into the image, and the status word and counter. */
  update(values: readonly number[]): void {
    const value = (key: string): number => values[signalIndex.get(key) ?? -1] ?? 0;
    const status =
      (value('P101.Running') ? 1 : 0) | (value('P101.Tripped') ? 2 : 0) | (value('F101.Backflush') ? 4 : 0);
    this.image.holding[controlAddresses.statusWord] = status;
    const counts = Math.round(value('P101.Energy') * 10) % 2 ** 32;
    this.image.holding.set(
      encodeRegisters(counts, { dataType: 'uint32', wordOrder: 'CDAB' }),
      controlAddresses.energyCounter,
    );
    signals.forEach((s, i) => {
      const v = values[i] ?? 0;
      if (s.modbus.area === 'coil') {
        this.image.coils[s.modbus.address] = v ? 1 : 0;
        this.image.discrete[s.modbus.address] = v ? 1 : 0;
      } else {
        const [hi, lo] = encodeRegisters(v, { dataType: 'float32', wordOrder: s.modbus.wordOrder });
        this.image.holding[s.modbus.address] = hi!;
        this.image.holding[s.modbus.address + 1] = lo!;
        this.image.input[s.modbus.address] = hi!;
        this.image.input[s.modbus.address + 1] = lo!;
      }
    });
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
