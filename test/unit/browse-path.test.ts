import { describe, expect, it } from 'vitest';
import {
  BrowsePathError,
  OPC_UA_NAMESPACE,
  appendBrowsePath,
  describeBrowsePath,
  formatBrowsePath,
  parseBrowsePath,
} from '../../main/collect/opcua/browse-path.js';
import { OpcUaTag } from '../../main/domain/device/opcua-schema.js';

describe('browse path text', () => {
  it('formats the documented example and parses it back', () => {
    const steps = [
      { namespaceUri: 'urn:plc', name: 'Plant' },
      { namespaceUri: 'urn:plc', name: 'Pump1' },
      { namespaceUri: 'urn:plc', name: 'Flow' },
    ];
    const text = formatBrowsePath(steps);
    expect(text).toBe('/[urn:plc]Plant/[urn:plc]Pump1/[urn:plc]Flow');
    expect(parseBrowsePath(text)).toEqual(steps);
    expect(appendBrowsePath('/[urn:plc]Plant/[urn:plc]Pump1', steps[2]!)).toBe(text);
    expect(describeBrowsePath(text)).toBe('Plant/Pump1/Flow');
  });

  it('round-trips URIs with slashes and names with reserved characters', () => {
    const steps = [
      { namespaceUri: 'http://example.com/UA/a]b&c', name: 'Line/1 [east] & more' },
      { namespaceUri: OPC_UA_NAMESPACE, name: 'Server' },
    ];
    const text = formatBrowsePath(steps);
    expect(text).toBe('/[http://example.com/UA/a&]b&&c]Line&/1 &[east&] && more/[http://opcfoundation.org/UA/]Server');
    expect(parseBrowsePath(text)).toEqual(steps);
  });

  it('reads a step without a namespace as namespace 0 and "" as no path', () => {
    expect(parseBrowsePath('/Server/[urn:x]A')).toEqual([
      { namespaceUri: OPC_UA_NAMESPACE, name: 'Server' },
      { namespaceUri: 'urn:x', name: 'A' },
    ]);
    expect(parseBrowsePath('')).toEqual([]);
  });

  it.each([
    ['Plant/Flow', 'expected "/"'],
    ['/[urn:plc Plant', 'missing "]"'],
    ['/[urn:plc]', 'empty browse name'],
    ['/[]A', 'empty namespace URI'],
    ['/A/', 'empty browse name'],
    ['/A]b', '"]" in a name'],
    ['/A&', 'unfinished "&" escape'],
  ])('refuses %s with a message saying where', (text, message) => {
    expect(() => parseBrowsePath(text)).toThrow(BrowsePathError);
    expect(() => parseBrowsePath(text)).toThrow(message);
  });

  it('the tag config accepts exactly what the parser reads', () => {
    const accepts = (browsePath: string): boolean =>
      OpcUaTag.safeParse({ name: 'T', nodeId: 'ns=1;i=1', browsePath }).success;
    for (const ok of ['', '/[urn:plc]Plant/[urn:plc]Flow', '/Server', '/[http://x/a&]b]A&/B &&C']) {
      expect(parseBrowsePath(ok)).toBeDefined();
      expect(accepts(ok)).toBe(true);
    }
    for (const bad of ['Plant', '/[urn:plc]', '/A/', '/A]b', '/[]A']) expect(accepts(bad)).toBe(false);
  });
});
