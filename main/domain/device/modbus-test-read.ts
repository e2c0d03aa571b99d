// The answer to a one-off Modbus read from the register map editor.

export interface ModbusTestReadResult {
  /** The request as sent, e.g. "FC 3 read holding registers 40001-40002 (offset 0, 2 registers), unit 1". */
  request: string;
  /** Registers as hex words (0x1A2B), or bits as 0/1. */
  raw: string[];
  /** Engineering value (scaled); null for strings or on error. */
  value: number | null;
  text: string | null;
  quality: number;
  /** Plain-language error (no answer, exception with its code); null when read. */
  error: string | null;
  durationMs: number;
}
