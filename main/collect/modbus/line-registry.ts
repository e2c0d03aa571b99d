import { lineKey, type ModbusSettings } from '../../domain/device/modbus-schema.js';
import { ModbusLine } from './line.js';
import type { ModbusTransport } from './transport.js';

export interface LineLease {
  line: ModbusLine;
  /** Gives the line back; the last user closes it. */
  release(): Promise<void>;
}

/**
 * The app's open Modbus lines by endpoint: devices behind one gateway or on one serial port share one
 * connection (a serial port cannot be opened twice, and many gateways accept one TCP client only), and a
 * test read or write from the UI uses the line a running device already holds.
 */
export class ModbusLines {
  private readonly lines = new Map<string, { line: ModbusLine; users: number }>();

  constructor(
    private readonly makeTransport: (settings: ModbusSettings) => ModbusTransport,
    /** First reconnect delay (tests use a short one; the cap is each device's reconnectMaxDelayMs). */
    private readonly options: { reconnectInitialMs?: number } = {},
  ) {}

  acquire(settings: ModbusSettings): LineLease {
    const key = lineKey(settings);
    let entry = this.lines.get(key);
    if (!entry) {
      const line = new ModbusLine(this.makeTransport(settings), {
        reconnectInitialMs: this.options.reconnectInitialMs,
        reconnectMaxDelayMs: settings.reconnectMaxDelayMs,
      });
      entry = { line, users: 0 };
      this.lines.set(key, entry);
      line.start();
    }
    entry.users++;
    const held = entry;
    let released = false;
    return {
      line: held.line,
      release: async () => {
        if (released) return;
        released = true;
        held.users--;
        if (held.users === 0 && this.lines.get(key) === held) {
          this.lines.delete(key);
          await held.line.stop();
        }
      },
    };
  }

  get size(): number {
    return this.lines.size;
  }

  async closeAll(): Promise<void> {
    const all = [...this.lines.values()];
    this.lines.clear();
    await Promise.all(all.map((e) => e.line.stop()));
  }
}
