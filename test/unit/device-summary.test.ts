import { describe, expect, it } from 'vitest';
import { summarizeDevices } from '../../renderer/src/lib/device-summary.js';

describe('the status bar device summary', () => {
  it('counts every state and names each device with a problem', () => {
    const s = summarizeDevices([
      { name: 'Demo pump skid (OPC UA)', state: 'connected' },
      { name: 'Demo pump skid (Modbus)', state: 'connected' },
      { name: 'Line 3 PLC', state: 'error' },
      { name: 'Boiler house PLC', state: 'degraded' },
      { name: 'Spare 1', state: 'disabled' },
      { name: 'Spare 2', state: 'connecting' },
    ]);
    expect(s.text).toBe('6 devices: 2 connected, 1 connecting, 1 disabled, 2 problems');
    expect(s.problems).toEqual(['Line 3 PLC', 'Boiler house PLC']);
  });

  it('says one device and no problem in the singular, and no devices plainly', () => {
    expect(summarizeDevices([{ name: 'A', state: 'connected' }])).toEqual({
      text: '1 device: 1 connected',
      problems: [],
    });
    expect(summarizeDevices([{ name: 'A', state: 'error' }]).text).toBe('1 device: 0 connected, 1 problem');
    expect(summarizeDevices([])).toEqual({ text: 'No devices', problems: [] });
  });
});
