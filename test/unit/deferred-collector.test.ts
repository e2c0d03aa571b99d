import { describe, expect, it } from 'vitest';
import { DeferredCollector } from '../../main/collect/deferred-collector.js';
import type { Collector, CollectorEvents, CollectorState } from '../../main/collect/types.js';

/** A collector that records what was done to it. */
const recorder = (log: string[]): Collector => ({
  start: () => void log.push('start'),
  stop: () => {
    log.push('stop');
    return Promise.resolve();
  },
  diagnostics: () => ({
    pollGroups: [],
    consecutiveFailures: 3,
    degraded: true,
    splitBlocks: 0,
    tagProblems: [],
    subscription: null,
  }),
});

const events = (states: CollectorState[]): CollectorEvents => ({
  onSamples: () => undefined,
  onState: (s) => void states.push(s),
});

describe('a collector loaded on start', () => {
  it('starts once its code is loaded, reports its diagnostics then, and stops it', async () => {
    const log: string[] = [];
    let loaded!: (c: Collector) => void;
    const d = new DeferredCollector(() => new Promise<Collector>((r) => (loaded = r)), events([]));
    d.start();
    expect(d.diagnostics()).toBeNull();
    loaded(recorder(log));
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['start']);
    expect(d.diagnostics()?.consecutiveFailures).toBe(3);
    await d.stop();
    expect(log).toEqual(['start', 'stop']);
  });

  it('stopped while its code loads: it never starts, and stop waits for the load', async () => {
    const log: string[] = [];
    let loaded!: (c: Collector) => void;
    const d = new DeferredCollector(() => new Promise<Collector>((r) => (loaded = r)), events([]));
    d.start();
    const stopping = d.stop();
    loaded(recorder(log));
    await stopping;
    expect(log).toEqual([]);
  });

  it('a load that fails is the device state "error" with the reason, and stop still resolves', async () => {
    const states: CollectorState[] = [];
    const d = new DeferredCollector(() => Promise.reject(new Error('Cannot find module node-opcua')), events(states));
    d.start();
    await d.stop();
    expect(states).toEqual([{ state: 'error', message: 'cannot start collection: Cannot find module node-opcua' }]);
  });

  it('stop before start resolves at once', async () => {
    const d = new DeferredCollector(() => Promise.reject(new Error('never loaded')), events([]));
    await expect(d.stop()).resolves.toBeUndefined();
  });
});
