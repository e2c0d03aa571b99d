import { describe, expect, it } from 'vitest';
import { StatusCodes } from '../../main/domain/sample/status-codes.js';
import { type Sample } from '../../main/domain/sample/sample.js';
import { SampleWriter } from '../../main/store/sample-writer.js';

const samples = (n: number, from = 0): Sample[] =>
  Array.from({ length: n }, (_, i) => ({ tagId: 1, ts: from + i, value: i, quality: 0 }));

describe('sample writer', () => {
  it('coalesces batches of one tick into one write', async () => {
    const writes: number[] = [];
    const w = new SampleWriter({ write: (b) => writes.push(b.length), onWritten: () => {}, onError: () => {} });
    w.add(samples(3));
    w.add(samples(4, 3));
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual([7]);
  });

  it('holds samples while the disk is full and writes all of them once it is not, reporting both', () => {
    let full = true;
    const stored: Sample[] = [];
    const errors: (string | null)[] = [];
    const w = new SampleWriter({
      write: (b) => {
        if (full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        stored.push(...b);
      },
      onWritten: () => {},
      onError: (m) => errors.push(m),
    });
    w.add(samples(5));
    expect(w.flush()).toBe(false);
    w.add(samples(5, 5));
    expect(w.flush()).toBe(false);
    expect(errors).toEqual(['Samples are not being recorded: database or disk is full']);
    full = false;
    expect(w.flush()).toBe(true);
    expect(stored.map((s) => s.ts)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(errors).toEqual(['Samples are not being recorded: database or disk is full', null]);
    w.close();
  });

  it('bounds memory during a long outage, dropping the oldest and counting them', () => {
    const w = new SampleWriter({
      write: () => {
        throw new Error('disk I/O error');
      },
      onWritten: () => {},
      onError: () => {},
      maxPending: 10,
    });
    w.add(samples(25));
    expect(w.backlog).toBe(10);
    expect(w.dropped).toBe(15);
    w.close();
  });
});

describe('sample writer: loss past the buffer', () => {
  it('counts what it drops, reports the episode once, and stores one BadDataLost marker per tag at the first lost time', () => {
    let full = true;
    const stored: Sample[] = [];
    const events: string[] = [];
    const w = new SampleWriter({
      write: (b) => {
        if (full) throw new Error('database or disk is full');
        stored.push(...b);
      },
      onWritten: () => {},
      onError: () => {},
      onLoss: (kind, loss, total) => events.push(`${kind} ${loss.count} ${loss.from}-${loss.to} ${loss.tags} ${total}`),
      maxPending: 10,
    });
    const two = (ts: number): Sample[] => [
      { tagId: 1, ts, value: ts, quality: 0 },
      { tagId: 2, ts, value: ts, quality: 0 },
    ];
    for (let ts = 0; ts < 20; ts++) w.add(two(ts));
    expect(w.flush()).toBe(false);
    // 40 produced, 10 held: 30 dropped, ts 0..14; reported once as it started.
    expect(w.dropped).toBe(30);
    expect(w.losing).toBe(true);
    expect(events).toEqual(['started 2 0-0 2 2']);
    full = false;
    expect(w.flush()).toBe(true);
    expect(events[1]).toBe('ended 30 0-14 2 30');
    const markers = stored.filter((s) => s.quality === StatusCodes.BadDataLost);
    expect(markers.map((m) => [m.tagId, m.ts, m.value])).toEqual([
      [1, 0, null],
      [2, 0, null],
    ]);
    expect(stored.filter((s) => s.quality === 0).map((s) => s.ts)).toEqual([15, 15, 16, 16, 17, 17, 18, 18, 19, 19]);
    expect(w.losing).toBe(false);
    w.close();
  });
});
