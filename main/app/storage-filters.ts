// Which collected samples are stored: each device's storage policies applied in the pipeline (see storage-filter.ts).
import type { Sample } from '../domain/sample/sample.js';
import { StorageFilter, type TagFilterSpec } from '../domain/storage/storage-filter.js';
import {
  effectivePolicy,
  everySamplePolicy,
  resolvePolicy,
  type ResolvedPolicy,
} from '../domain/storage/storage-policy.js';
import type { CollectorLifecycle } from '../collect/collector-manager.js';
import type { StoredDevice } from '../store/devices-repo.js';

type ConfigTag = StoredDevice['config']['tags'][number];

// Storing every sample needs no span, so it always resolves.
const storeEvery = resolvePolicy(everySamplePolicy, { spanLow: null, spanHigh: null }) as ResolvedPolicy;

/** A tag's filter: its policy in engineering units, or a message when it cannot be resolved. */
const specOf = (device: StoredDevice, tag: ConfigTag): TagFilterSpec | string => {
  const resolved = resolvePolicy(effectivePolicy(device.config.settings.storage, tag.storage), tag);
  if (typeof resolved === 'string') return resolved;
  return { policy: resolved, discrete: 'dataType' in tag && tag.dataType === 'bool' };
};

export interface StorageFilters {
  /** The samples of a collected batch to store. */
  filter: (batch: readonly Sample[]) => Sample[];
  /** Hooks for the collector manager: a device's filters are flushed when its collector stops, rebuilt as it starts. */
  lifecycle: CollectorLifecycle;
  /** Every held point (shutdown, after the collectors stopped): to be stored before the writer closes. */
  flush: () => Sample[];
}

/**
 * `store` takes the held points a device's filters give up when its collector stops; `warn` hears of a policy that
 * cannot be applied (saved devices are checked, so only a damaged config): that tag stores every sample.
 */
export const storageFilters = (store: (samples: Sample[]) => void, warn: (line: string) => void): StorageFilters => {
  const filter = new StorageFilter();
  const tagsOf = new Map<number, number[]>();
  return {
    filter: (batch) => filter.filter(batch),
    flush: () => filter.flush(),
    lifecycle: {
      stopped: (deviceId) => {
        const held = (tagsOf.get(deviceId) ?? []).flatMap((id) => filter.remove(id));
        tagsOf.delete(deviceId);
        if (held.length > 0) store(held);
      },
      starting: (device) => {
        const ids = new Map(device.tags.map((t) => [t.name, t.id]));
        const tagIds: number[] = [];
        for (const tag of device.config.tags) {
          const id = ids.get(tag.name);
          if (id === undefined) continue;
          const spec = specOf(device, tag);
          if (typeof spec === 'string') {
            warn(`Device "${device.config.name}", tag "${tag.name}": ${spec}; every sample is stored.`);
          }
          filter.set(id, typeof spec === 'string' ? { policy: storeEvery, discrete: false } : spec);
          tagIds.push(id);
        }
        tagsOf.set(device.id, tagIds);
      },
    },
  };
};
