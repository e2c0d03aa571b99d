import { DataType, StatusCodes } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import { accessLevelNames, coerceForWrite, statusCodeName } from '../../main/collect/opcua/node-values.js';
import { uniqueName, visibleRows, type TreeNode } from '../../renderer/src/lib/address-tree.js';
import type { BrowseEntry } from '../../main/domain/opcua/browse.js';

describe('OPC UA values for the address-space browser', () => {
  it('names status codes and access levels', () => {
    expect(statusCodeName(0)).toBe('Good');
    expect(statusCodeName(StatusCodes.BadNodeIdUnknown.value)).toBe('BadNodeIdUnknown');
    expect(statusCodeName((StatusCodes.BadOutOfRange.value | 0x400) >>> 0)).toBe('BadOutOfRange'); // info bits set
    expect(statusCodeName(0x8fff0000)).toBe('0x8FFF0000');
    expect(accessLevelNames(1)).toEqual(['CurrentRead']);
    expect(accessLevelNames(1 | 2 | 4)).toEqual(['CurrentRead', 'CurrentWrite', 'HistoryRead']);
  });

  it('converts typed input to the node data type, or says why not', () => {
    expect(coerceForWrite(DataType.Double, '12.5')).toEqual({ ok: true, value: 12.5, text: '12.5' });
    expect(coerceForWrite(DataType.Float, 1e39)).toEqual({
      ok: false,
      reason: '1e+39 is beyond the range of a Float (±3.4e38)',
    });
    expect(coerceForWrite(DataType.Int16, 40000)).toEqual({
      ok: false,
      reason: 'Int16 holds -32768 to 32767; 40000 does not fit',
    });
    expect(coerceForWrite(DataType.UInt16, 1.5)).toMatchObject({ ok: false });
    expect(coerceForWrite(DataType.Byte, '255')).toEqual({ ok: true, value: 255, text: '255' });
    expect(coerceForWrite(DataType.Int64, '-1')).toEqual({ ok: true, value: [0xffffffff, 0xffffffff], text: '-1' });
    expect(coerceForWrite(DataType.UInt64, '18446744073709551615')).toMatchObject({
      ok: true,
      value: [0xffffffff, 0xffffffff],
    });
    expect(coerceForWrite(DataType.UInt64, '-1')).toMatchObject({ ok: false });
    expect(coerceForWrite(DataType.Boolean, 'on')).toEqual({ ok: true, value: true, text: 'true' });
    expect(coerceForWrite(DataType.Boolean, 'maybe')).toMatchObject({ ok: false });
    expect(coerceForWrite(DataType.Int32, true)).toEqual({ ok: false, reason: 'Int32 takes a number, not true' });
    expect(coerceForWrite(DataType.String, 42)).toEqual({ ok: true, value: '42', text: '"42"' });
  });
});

describe('address tree rows', () => {
  const entry = (nodeId: string, displayName: string, hasChildren = false): BrowseEntry => ({
    nodeId,
    browseName: `1:${displayName}`,
    displayName,
    nodeClass: hasChildren ? 'Object' : 'Variable',
    hasChildren,
    dataType: hasChildren ? null : 'Double',
    browsePath: '',
    part: null,
  });
  const nodes = new Map<string, TreeNode>([
    ['a', { entry: entry('a', 'Skid', true), children: ['a1', 'a2'], parent: null, loading: false, error: null }],
    ['a1', { entry: entry('a1', 'Flow'), children: null, parent: 'a', loading: false, error: null }],
    ['a2', { entry: entry('a2', 'Level'), children: null, parent: 'a', loading: false, error: null }],
    ['b', { entry: entry('b', 'Server', true), children: null, parent: null, loading: false, error: null }],
  ]);

  it('shows expanded children with level and position; finding shows matches with their path', () => {
    expect(visibleRows(nodes, ['a', 'b'], new Set(), '').map((r) => r.id)).toEqual(['a', 'b']);
    const open = visibleRows(nodes, ['a', 'b'], new Set(['a']), '');
    expect(open.map((r) => [r.id, r.level, r.pos, r.size])).toEqual([
      ['a', 1, 1, 2],
      ['a1', 2, 1, 2],
      ['a2', 2, 2, 2],
      ['b', 1, 2, 2],
    ]);
    const found = visibleRows(nodes, ['a', 'b'], new Set(), 'lev');
    expect(found.map((r) => [r.id, r.match])).toEqual([
      ['a', false],
      ['a2', true],
    ]);
    expect(visibleRows(nodes, ['a', 'b'], new Set(), 'a1').map((r) => r.id)).toEqual(['a', 'a1']);
  });

  it('makes tag names unique', () => {
    const used = new Set(['Flow']);
    expect(uniqueName('Flow', used)).toBe('Flow (2)');
    expect(uniqueName('Flow', used)).toBe('Flow (3)');
    expect(uniqueName('  ', used)).toBe('tag');
  });
});
