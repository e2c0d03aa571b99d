import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../main/domain/sample/sample.js';
import type { Events } from '../../main/contract/contract.js';
import type { SampleTuple } from '../../main/domain/sample/sample-tuple.js';
import { EventHub } from '../../main/app/event-hub.js';
import { LiveStream } from '../../main/live/live-stream.js';

/** The live stream on a real hub with one subscriber; flush() is called by hand (the timer is an hour). */
describe('live stream', () => {
  const streams: LiveStream[] = [];
  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });

  const setup = (maxPerMessage?: number) => {
    const hub = new EventHub();
    const messages: SampleTuple[][] = [];
    hub.subscribe((event, payload) => {
      if (event === 'samples.batch') messages.push((payload as Events['samples.batch']).samples);
    });
    const live = new LiveStream(hub, 3_600_000, maxPerMessage);
    streams.push(live);
    return { live, messages };
  };

  const tick = (tags: number, ts: number, value: (tagId: number) => number): Sample[] =>
    Array.from({ length: tags }, (_, tagId) => ({ tagId, ts, value: value(tagId), quality: 0 }));

  it('below the cap sends every sample of the interval, in order (the live trend draws them all)', () => {
    const { live, messages } = setup();
    live.push(tick(3, 1000, (id) => id));
    live.push(tick(3, 1100, (id) => id + 10));
    live.push([{ tagId: 7, ts: 1100, value: null, quality: 0, text: 'B-42' }]);
    live.flush();
    expect(messages).toEqual([
      [
        [0, 1000, 0, 0],
        [1, 1000, 1, 0],
        [2, 1000, 2, 0],
        [0, 1100, 10, 0],
        [1, 1100, 11, 0],
        [2, 1100, 12, 0],
        [7, 1100, null, 0, 'B-42'],
      ],
    ]);
    live.flush();
    expect(messages).toHaveLength(1); // nothing new, nothing sent
  });

  it('30,000 tags per interval: every tag gets its newest value, in messages of at most the cap', () => {
    const TAGS = 30_000;
    const { live, messages } = setup();
    // Two collector cycles per interval, the same tag order each time (a poll or publish cycle).
    for (let interval = 0; interval < 3; interval++) {
      const t0 = 1_000_000 + interval * 250;
      live.push(tick(TAGS, t0, (id) => id + interval));
      live.push(tick(TAGS, t0 + 125, (id) => id + interval + 0.5));
      messages.length = 0;
      live.flush();
      expect(messages.every((m) => m.length <= 20_000)).toBe(true);
      const got = new Map<number, SampleTuple>();
      for (const m of messages) for (const t of m) got.set(t[0], t);
      expect(got.size).toBe(TAGS);
      expect(messages.reduce((n, m) => n + m.length, 0)).toBe(TAGS); // one value per tag, none twice
      for (let id = 0; id < TAGS; id++) expect(got.get(id)).toEqual([id, t0 + 125, id + interval + 0.5, 0]);
    }
  });

  it('over the cap keeps the newest by source time, even when an older sample arrives later', () => {
    const { live, messages } = setup(4);
    live.push(tick(3, 2000, () => 2));
    live.push(tick(3, 1000, () => 1)); // late, older
    live.flush();
    expect(messages).toEqual([
      [
        [0, 2000, 2, 0],
        [1, 2000, 2, 0],
        [2, 2000, 2, 0],
      ],
    ]);
  });

  it('builds nothing while nobody is watching', () => {
    const hub = new EventHub();
    const live = new LiveStream(hub, 3_600_000);
    streams.push(live);
    live.push(tick(10, 1000, () => 1));
    const messages: unknown[] = [];
    hub.subscribe((event, payload) => messages.push([event, payload]));
    live.flush();
    expect(messages).toEqual([]);
  });
});
