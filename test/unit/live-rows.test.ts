import { describe, expect, it } from 'vitest';
import { ModbusDeviceInput, OpcUaDeviceInput } from '../../main/domain/device/device-schema.js';
import type { DeviceState } from '../../main/domain/device/device-state.js';
import type { DeviceView, TagInfo } from '../../main/domain/device/device-view.js';
import {
  buildLiveRows,
  devicesDown,
  filterLiveRows,
  qualityText,
  sortLiveRows,
  type LatestValue,
  type LiveRow,
} from '../../renderer/src/lib/live-rows.js';

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const BAD_NODE_ID_UNKNOWN = 0x80340000;
const BAD_TIMEOUT = 0x800a0000;

const state = (deviceId: number, s: DeviceState['state'], message: string | null = null): DeviceState => ({
  deviceId,
  state: s,
  message,
  since: NOW - 60_000,
  samples: 0,
  requestsPerCycle: null,
});

function plant(): { devices: DeviceView[]; tags: TagInfo[] } {
  const opcTags: TagInfo[] = [
    { id: 1, deviceId: 1, name: 'Level', unit: '%', address: 'ns=2;s=Level' },
    { id: 2, deviceId: 1, name: 'Batch', unit: '', address: 'ns=2;s=Batch' },
    { id: 3, deviceId: 1, name: 'Missing', unit: 'bar', address: 'ns=2;s=Nope' },
  ];
  const mbTags: TagInfo[] = [
    { id: 4, deviceId: 2, name: 'Flow', unit: 'm³/h', address: 'HR 40001 float32 ABCD' },
    { id: 5, deviceId: 2, name: 'Slow temp', unit: '°C', address: 'HR 40003 float32 ABCD' },
    { id: 6, deviceId: 2, name: 'Not read yet', unit: '', address: 'HR 40005 uint16' },
  ];
  const opc = OpcUaDeviceInput.parse({
    id: 1,
    name: 'Line 1 PLC',
    protocol: 'opcua',
    settings: { endpointUrl: 'opc.tcp://127.0.0.1:4840' },
    tags: opcTags.map((t) => ({ name: t.name, unit: t.unit, nodeId: t.address })),
  });
  const mb = ModbusDeviceInput.parse({
    id: 2,
    name: 'Boiler house',
    protocol: 'modbus',
    settings: { host: '127.0.0.1', pollIntervalMs: 1000 },
    tags: [
      { name: 'Flow', unit: 'm³/h', area: 'holding', address: 0, dataType: 'float32' },
      { name: 'Slow temp', unit: '°C', area: 'holding', address: 2, dataType: 'float32', pollIntervalMs: 60_000 },
      { name: 'Not read yet', area: 'holding', address: 4 },
    ],
  });
  const devices: DeviceView[] = [
    {
      id: 1,
      config: { ...opc, id: 1 },
      tags: opcTags,
      state: state(1, 'connected'),
      passwordSet: false,
      demoPortWarning: null,
    },
    {
      id: 2,
      config: { ...mb, id: 2 },
      tags: mbTags,
      state: state(2, 'connected'),
      passwordSet: false,
      demoPortWarning: null,
    },
  ];
  return { devices, tags: [...opcTags, ...mbTags] };
}

const latest = new Map<number, LatestValue>([
  [1, { ts: NOW - 2_000, value: 42.5, quality: 0 }],
  [2, { ts: NOW - 30_000, value: null, quality: 0, text: 'LOT-7' }],
  [3, { ts: NOW - 1_000, value: null, quality: BAD_NODE_ID_UNKNOWN }],
  // Polled every second, last value 20 s ago: overdue.
  [4, { ts: NOW - 20_000, value: 12.25, quality: 0 }],
  // Polled every minute, 20 s ago: not overdue.
  [5, { ts: NOW - 20_000, value: 80, quality: 0 }],
]);

const byName = (rows: LiveRow[], name: string): LiveRow => {
  const r = rows.find((x) => x.tag === name);
  if (!r) throw new Error(`no row ${name}`);
  return r;
};

describe('live values rows', () => {
  it('shows text as text, numbers without the unit, the OPC UA status code, and no value yet', () => {
    const { devices, tags } = plant();
    const states = new Map(devices.map((d) => [d.id, d.state]));
    const rows = buildLiveRows(tags, devices, states, latest, NOW);
    expect(rows).toHaveLength(6);
    expect(byName(rows, 'Level')).toMatchObject({ device: 'Line 1 PLC', value: '42.5', unit: '%', quality: 'good' });
    expect(byName(rows, 'Level').qualityText).toBe('Good');
    expect(byName(rows, 'Batch')).toMatchObject({ value: 'LOT-7', sortValue: 'LOT-7' });
    expect(byName(rows, 'Missing')).toMatchObject({
      value: 'no value',
      quality: 'bad',
      qualityText: 'Bad: BadNodeIdUnknown (0x80340000)',
    });
    expect(byName(rows, 'Not read yet')).toMatchObject({
      value: 'waiting…',
      quality: null,
      qualityText: 'no value yet',
      ts: null,
      stale: null,
    });
  });

  it('marks a polled value overdue after 3 poll intervals, never an OPC UA value by age alone', () => {
    const { devices, tags } = plant();
    const states = new Map(devices.map((d) => [d.id, d.state]));
    const rows = buildLiveRows(tags, devices, states, latest, NOW);
    expect(byName(rows, 'Flow').stale).toBe('no new value for 20 s (polled every 1 s)');
    expect(byName(rows, 'Slow temp').stale).toBeNull();
    // Reported on change: 30 s without a change is not stale while the session is up.
    expect(byName(rows, 'Batch').stale).toBeNull();
  });

  it("marks every value of a device that is not connected, and names the device's reason once", () => {
    const { devices, tags } = plant();
    const states = new Map([
      [1, state(1, 'error', 'cannot connect to 127.0.0.1:4840: connection refused')],
      [2, state(2, 'connected')],
    ]);
    const rows = buildLiveRows(tags, devices, states, latest, NOW);
    for (const name of ['Level', 'Batch', 'Missing'])
      expect(byName(rows, name).stale).toBe('device down: last known value');
    expect(byName(rows, 'Level').value).toBe('42.5');
    expect(devicesDown(devices, states)).toEqual([
      {
        deviceId: 1,
        name: 'Line 1 PLC',
        state: 'error',
        reason: 'cannot connect to 127.0.0.1:4840: connection refused',
        since: NOW - 60_000,
        tags: 3,
      },
    ]);
  });

  it('words Modbus qualities without an OPC UA code', () => {
    expect(qualityText(BAD_TIMEOUT, false)).toBe('Bad: BadTimeout');
    expect(qualityText(BAD_TIMEOUT, true)).toBe('Bad: BadTimeout (0x800A0000)');
    expect(qualityText(0x80000000, false)).toBe('Bad');
    expect(qualityText(0, true)).toBe('Good');
  });
});

describe('live values filter and sort', () => {
  const { devices, tags } = plant();
  const rows = buildLiveRows(tags, devices, new Map(devices.map((d) => [d.id, d.state])), latest, NOW);

  it('filters by device and by text in tag, device, unit or address, any case', () => {
    expect(filterLiveRows(rows, '', 2).map((r) => r.tag)).toEqual(['Flow', 'Slow temp', 'Not read yet']);
    expect(filterLiveRows(rows, 'LEVEL', null).map((r) => r.tag)).toEqual(['Level']);
    expect(filterLiveRows(rows, '°c', null).map((r) => r.tag)).toEqual(['Slow temp']);
    expect(filterLiveRows(rows, 'ns=2;s=b', null).map((r) => r.tag)).toEqual(['Batch']);
    expect(filterLiveRows(rows, 'boiler', null)).toHaveLength(3);
    expect(filterLiveRows(rows, 'boiler', 1)).toHaveLength(0);
    expect(filterLiveRows(rows, '   ', null)).toHaveLength(6);
  });

  it('sorts values numbers first, then texts, rows without a value last both ways (by device, then tag)', () => {
    const up = sortLiveRows(rows, { key: 'value', ascending: true }).map((r) => r.tag);
    expect(up).toEqual(['Flow', 'Level', 'Slow temp', 'Batch', 'Not read yet', 'Missing']);
    const down = sortLiveRows(rows, { key: 'value', ascending: false }).map((r) => r.tag);
    expect(down).toEqual(['Batch', 'Slow temp', 'Level', 'Flow', 'Not read yet', 'Missing']);
  });

  it('sorts by quality worst first, by time, and ties by device then tag', () => {
    expect(sortLiveRows(rows, { key: 'quality', ascending: true }).map((r) => r.tag)).toEqual([
      'Missing',
      'Flow',
      'Slow temp',
      'Batch',
      'Level',
      'Not read yet',
    ]);
    expect(sortLiveRows(rows, { key: 'ts', ascending: false }).map((r) => r.tag)).toEqual([
      'Missing',
      'Level',
      'Flow',
      'Slow temp',
      'Batch',
      'Not read yet',
    ]);
    expect(sortLiveRows(rows, { key: 'device', ascending: true }).map((r) => r.tag)).toEqual([
      'Flow',
      'Not read yet',
      'Slow temp',
      'Batch',
      'Level',
      'Missing',
    ]);
    // A copy: the input order is kept.
    expect(rows.map((r) => r.tagId)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
