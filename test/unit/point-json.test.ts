import { describe, expect, it } from 'vitest';
import { BatchPoints } from '../../main/sync/batch-builder.js';
import { encodeJson } from '../../main/sync/client/request.js';
import { pointJson, pointPrefix, toPoint } from '../../main/sync/points.js';

describe('upload batch points', () => {
  it('writes point JSON exactly as JSON.stringify of toPoint does', () => {
    const targets = [
      { assetId: 'dev-0f1e2d3c', tagName: 'TT100' },
      { assetId: '1001', tagName: 'Line "A" \\ Kessel\u00e4 \u{1F525}\n' },
    ];
    const values = [0, -0, 1, -1.5, 12.3, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, NaN, Infinity, -Infinity, null];
    const qualities = [0, 0x40000000, 0x80000000, 0xc0000000, 0x80350000, 0x00960000, -1];
    const texts = [undefined, '', 'BATCH-0042', 'say "hi"\t\u0000 \u2028 \u00fc'];
    for (const target of targets) {
      const prefix = pointPrefix(target);
      for (const value of values)
        for (const quality of qualities)
          for (const text of texts) {
            const ts = Date.UTC(2026, 10, 1, 12, 34, 56, Math.floor(Math.random() * 1000));
            const sample =
              text === undefined ? { tagId: 1, ts, value, quality } : { tagId: 1, ts, value, quality, text };
            expect(pointJson(prefix, ts, value, quality, text)).toBe(JSON.stringify(toPoint(sample, target)));
          }
    }
  });

  it('reads the points of a batch back from its body only when asked', async () => {
    const points = [toPoint({ tagId: 1, ts: 5, value: 1, quality: 0 }, { assetId: 'a', tagName: 't' })];
    const body = await encodeJson(JSON.stringify({ data: points }), 1024);
    const given = new BatchPoints(body, 1);
    expect(given.count).toBe(1);
    expect(given.at(0)).toEqual(points[0]);
    expect(given.at(1)).toBeUndefined();
    expect(given.at(-1)).toBeUndefined();
    const counted = new BatchPoints(body);
    expect(counted.count).toBe(1);
    expect(counted.all()).toEqual(points);
  });
});
