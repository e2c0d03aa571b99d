import {
  defaultStoragePolicy,
  type StorageBand,
  type StorageMode,
} from '../../../main/domain/storage/storage-policy.js';

/** A storage policy as the form edits it (numbers null while an input is empty). */
export interface StoragePolicyDraft {
  mode: StorageMode;
  deadband: number | null;
  band: StorageBand;
  maxIntervalS: number | null;
  compression: number | null;
}

export function newStoragePolicy(): StoragePolicyDraft {
  return { ...defaultStoragePolicy };
}

/** A tag's storage fields: its own policy (null = the device's) and its span. */
export interface TagStorageDraft {
  storage: StoragePolicyDraft | null;
  spanLow: number | null;
  spanHigh: number | null;
}
