import { describe, expect, it } from 'vitest';
import { applyConfigFile } from '../../main/app/apply-config.js';
import { storeTagNodes } from '../../main/app/tag-node-updates.js';
import { ConfigFile } from '../../main/domain/config/config-file-schema.js';
import type { Logger } from '../../main/log/logger.js';
import { useTempStore } from '../helpers/temp-store.js';

const PATH = '/[urn:plc]Plant/[urn:plc]Flow';

describe('browse paths and node ids the collector found, and the config file', () => {
  const t = useTempStore();
  const lines: string[] = [];
  const log: Logger = {
    debug: () => {},
    info: (m) => void lines.push(m),
    warn: (m) => void lines.push(m),
    error: () => {},
  };
  const file = ConfigFile.parse({
    devices: [
      {
        name: 'PLC',
        protocol: 'opcua',
        settings: { endpointUrl: 'opc.tcp://127.0.0.1:4840' },
        tags: [{ name: 'Flow', nodeId: 'ns=2;i=1001' }],
      },
    ],
  });

  it('a learned path is stored with the tag id kept, and a file without paths does not erase it', () => {
    const apply = () =>
      applyConfigFile({ file: 'gateway.json', config: file, store: t.store, alarms: null, sync: null, log });
    apply();
    const before = t.store.devices.list()[0]!;
    const tagId = before.tags[0]!.id;
    let changed = 0;
    const n = storeTagNodes({ store: t.store, log, changed: () => changed++ }, before.id, [
      {
        tagId,
        name: 'Flow',
        oldNodeId: 'ns=2;i=1001',
        nodeId: 'ns=2;i=1001',
        browsePath: PATH,
        reason: 'path-learned',
      },
    ]);
    expect([n, changed]).toEqual([1, 1]);
    lines.length = 0;
    apply();
    const after = t.store.devices.list()[0]!;
    expect(after.config.protocol === 'opcua' && after.config.tags[0]!.browsePath).toBe(PATH);
    expect(after.tags[0]!.id).toBe(tagId);
    expect(lines.some((l) => l.includes('1 devices (0 changed)'))).toBe(true);
  });

  it('a move is stored only when the tag still has the old node id (a user edit meanwhile wins)', () => {
    applyConfigFile({ file: 'gateway.json', config: file, store: t.store, alarms: null, sync: null, log });
    const d = t.store.devices.list()[0]!;
    const move = { tagId: d.tags[0]!.id, name: 'Flow', nodeId: 'ns=3;i=7', browsePath: PATH, reason: 'moved' as const };
    const deps = { store: t.store, log, changed: () => {} };
    expect(storeTagNodes(deps, d.id, [{ ...move, oldNodeId: 'ns=2;i=999' }])).toBe(0);
    lines.length = 0;
    expect(storeTagNodes(deps, d.id, [{ ...move, oldNodeId: 'ns=2;i=1001' }])).toBe(1);
    const after = t.store.devices.list()[0]!;
    expect(after.config.protocol === 'opcua' && after.config.tags[0]!.nodeId).toBe('ns=3;i=7');
    expect(lines).toContain(
      'Device "PLC": tag "Flow" moved from node ns=2;i=1001 to ns=3;i=7, found again by its browse path Plant/Flow; its history continues.',
    );
  });
});
