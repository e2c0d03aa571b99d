import type { DeviceView } from '../../../main/domain/device/device-view.js';
import {
  describePolicy,
  effectivePolicy,
  isLossy,
  StoragePolicy,
  type StoragePolicy as Policy,
} from '../../../main/domain/storage/storage-policy.js';
import type { StoragePolicyDraft } from './storage-draft.js';

/** What a tag's storage cell shows: the policy in force and whose it is. */
export interface StorageSummary {
  text: string;
  /** The tag has its own policy (else the device's). */
  own: boolean;
  lossy: boolean;
}

/** The policy in force for a tag being edited; a policy not yet valid says so instead of guessing. */
export function storageSummary(
  device: StoragePolicyDraft,
  tag: StoragePolicyDraft | null,
  unit: string,
): StorageSummary {
  const parsed = StoragePolicy.safeParse(tag ?? device);
  const own = tag !== null;
  if (!parsed.success)
    return { text: own ? 'own policy not valid yet' : 'device policy not valid yet', own, lossy: false };
  return { text: describePolicy(parsed.data, unit), own, lossy: isLossy(parsed.data) };
}

/**
 * What makes a policy lossy, for the tag lists that show values ("deadband ±0.5 °C, compressed ±0.25 % of span");
 * null when every collected value is stored or recoverable.
 */
export function lossyText(p: Policy, unit: string): string | null {
  if (!isLossy(p)) return null;
  const u = p.band === 'percent' ? ' % of span' : unit ? ` ${unit}` : '';
  const parts: string[] = [];
  if (p.deadband > 0) parts.push(`deadband ±${p.deadband}${u}`);
  if (p.compression > 0) parts.push(`compressed ±${p.compression}${u}`);
  return parts.join(', ');
}

/** The lossy tags of the configured devices, by tag id, with what makes them lossy. */
export function lossyTags(devices: readonly DeviceView[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const d of devices) {
    const device = d.config.settings.storage;
    // A view from a service without storage policies has none: nothing to mark.
    if (!device) continue;
    const byName = new Map<string, { storage: Policy | null; unit: string }>(
      d.config.tags.map((t) => [t.name, { storage: t.storage ?? null, unit: t.unit }]),
    );
    for (const t of d.tags) {
      const cfg = byName.get(t.name);
      if (!cfg) continue;
      const text = lossyText(effectivePolicy(device, cfg.storage), cfg.unit);
      if (text !== null) out.set(t.id, text);
    }
  }
  return out;
}

/** Whether a storage or span field of tag `index` has an error (its editor is then opened). */
export function hasStorageError(errors: Record<string, string>, index: number): boolean {
  const p = `tags.${index}.`;
  return Object.keys(errors).some(
    (k) => k.startsWith(p) && /^(storage(\..+)?|spanLow|spanHigh)$/.test(k.slice(p.length)),
  );
}
