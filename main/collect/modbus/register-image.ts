import { ExceptionCodes, type ModbusRequest, type ModbusResponse } from './pdu.js';

/**
 * The memory a Modbus server exposes: four areas of fixed size. Requests outside them answer
 * "illegal data address", as a PLC does, so clients see real exception handling.
 */
export class RegisterImage {
  readonly holding: Uint16Array;
  readonly input: Uint16Array;
  readonly coils: Uint8Array;
  readonly discrete: Uint8Array;

  /**
   * Which coils / holding registers a client may write; the rest answer "illegal data address" to a write, as a
   * PLC does for memory its program owns. Default: all.
   */
  writable: (area: 'coil' | 'holding', address: number, count: number) => boolean = () => true;

  constructor(size: { holding?: number; input?: number; coils?: number; discrete?: number }) {
    this.holding = new Uint16Array(size.holding ?? 0);
    this.input = new Uint16Array(size.input ?? 0);
    this.coils = new Uint8Array(size.coils ?? 0);
    this.discrete = new Uint8Array(size.discrete ?? 0);
  }

  /** Answer a request against this image (writes change it). */
  handle(req: ModbusRequest): ModbusResponse {
    const bad = (exception: number): ModbusResponse => ({ fc: req.fc, exception });
    const inRange = (len: number, address: number, count: number): boolean => address + count <= len;
    switch (req.fc) {
      case 1:
      case 2: {
        const area = req.fc === 1 ? this.coils : this.discrete;
        if (!inRange(area.length, req.address, req.quantity)) return bad(ExceptionCodes.IllegalDataAddress);
        return { fc: req.fc, bits: Array.from(area.subarray(req.address, req.address + req.quantity), (b) => b !== 0) };
      }
      case 3:
      case 4: {
        const area = req.fc === 3 ? this.holding : this.input;
        if (!inRange(area.length, req.address, req.quantity)) return bad(ExceptionCodes.IllegalDataAddress);
        return { fc: req.fc, registers: Array.from(area.subarray(req.address, req.address + req.quantity)) };
      }
      case 5:
        if (!inRange(this.coils.length, req.address, 1) || !this.writable('coil', req.address, 1))
          return bad(ExceptionCodes.IllegalDataAddress);
        this.coils[req.address] = req.value ? 1 : 0;
        return { fc: 5, address: req.address, value: req.value };
      case 6:
        if (!inRange(this.holding.length, req.address, 1) || !this.writable('holding', req.address, 1))
          return bad(ExceptionCodes.IllegalDataAddress);
        this.holding[req.address] = req.value;
        return { fc: 6, address: req.address, value: req.value };
      case 15:
        if (
          !inRange(this.coils.length, req.address, req.values.length) ||
          !this.writable('coil', req.address, req.values.length)
        )
          return bad(ExceptionCodes.IllegalDataAddress);
        req.values.forEach((v, i) => (this.coils[req.address + i] = v ? 1 : 0));
        return { fc: 15, address: req.address, quantity: req.values.length };
      case 16:
        if (
          !inRange(this.holding.length, req.address, req.values.length) ||
          !this.writable('holding', req.address, req.values.length)
        )
          return bad(ExceptionCodes.IllegalDataAddress);
        this.holding.set(req.values, req.address);
        return { fc: 16, address: req.address, quantity: req.values.length };
    }
  }
}
