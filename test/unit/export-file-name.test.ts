import { describe, expect, it } from 'vitest';
import { exportFileName, fileSafe } from '../../main/domain/export-file-name.js';

const AT = Date.UTC(2026, 10, 30, 12, 7, 33, 450);

describe('export file names', () => {
  it('name every export "twinedge-<what>-<UTC time>.<ext>"', () => {
    expect(exportFileName('trend', 'csv', AT)).toBe('twinedge-trend-2026-11-30T120733Z.csv');
    expect(exportFileName('trend', 'png', AT)).toBe('twinedge-trend-2026-11-30T120733Z.png');
    expect(exportFileName(['alarm-history'], '.csv', AT)).toBe('twinedge-alarm-history-2026-11-30T120733Z.csv');
    expect(exportFileName(['Pump skid (Modbus)', 'registers'], 'csv', AT)).toBe(
      'twinedge-Pump skid (Modbus)-registers-2026-11-30T120733Z.csv',
    );
  });

  it('make device names safe on every OS and leave empty parts out', () => {
    expect(fileSafe(' a/b:c*?"<>|\u0001 ')).toBe('a_b_c_______');
    expect(exportFileName(['PLC 1/north', '', 'publishednodes'], 'json', AT)).toBe(
      'twinedge-PLC 1_north-publishednodes-2026-11-30T120733Z.json',
    );
    expect(exportFileName(['  '], 'json', AT)).toBe('twinedge-2026-11-30T120733Z.json');
  });
});
