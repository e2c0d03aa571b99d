import { RegisterImage } from '../modbus/register-image.js';
import { ModbusTcpServer } from '../modbus/tcp-server.js';
import { encodeRegisters } from '../modbus/values.js';
import { modbusImageSize, signals } from './signals.js';

/**
 * The demo plant on Modbus TCP: every numeric signal as a float32 (ABCD) in two holding registers,
 * every bool as a coil, mirrored to input registers / discrete inputs so either area can be tried.
 * Binds 127.0.0.1 only: the demo is not meant to be reachable from the plant network.
 */
export class DemoModbusServer {
  readonly image = new RegisterImage({
    holding: modbusImageSize.registers,
    input: modbusImageSize.registers,
    coils: modbusImageSize.coils,
    discrete: modbusImageSize.coils,
  });
  private readonly server = new ModbusTcpServer(this.image);

  listen(port: number): Promise<number> {
    return this.server.listen(port, '127.0.0.1');
  }

  get port(): number | null {
    return this.server.port;
  }

  get requests(): number {
    return this.server.requests;
  }

  /** Write the model's values (in `signals` order) into the image. */
  update(values: readonly number[]): void {
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
