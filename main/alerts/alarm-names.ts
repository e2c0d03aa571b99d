// The device and tag names and units alarm texts are written with, and the check that a rule's references exist.
import type { FieldProblem } from '../domain/errors/field-problem.js';
import type { TagInfo } from '../domain/device/device-view.js';
import type { StoredDevice } from '../store/devices-repo.js';
import { ruleText, type TagLabel } from '../domain/alarm/condition-text.js';
import type { AlarmRule, AlarmRuleConfig } from '../domain/alarm/rule-schema.js';

export class AlarmNames {
  private readonly tags = new Map<number, TagInfo>();
  private readonly devices = new Map<number, string>();

  /** Re-reads every name (devices or tags were added, renamed or deleted). */
  refresh(devices: readonly StoredDevice[]): void {
    this.tags.clear();
    this.devices.clear();
    for (const d of devices) {
      this.devices.set(d.id, d.config.name);
      for (const t of d.tags) this.tags.set(t.id, t);
    }
  }

  /** The unit of a rule's value: its first tag condition's tag's unit ("" for none, or a tag that is gone). */
  unitOf(rule: Pick<AlarmRule, 'conditions'>): string {
    const first = rule.conditions.find((c) => c.kind !== 'offline');
    return first && 'tagId' in first ? (this.tags.get(first.tagId)?.unit ?? '') : '';
  }

  /** The rule's conditions in plain language. */
  text(rule: AlarmRule): string {
    const tag = (id: number): TagLabel | null => this.tags.get(id) ?? null;
    return ruleText(rule.conditions, rule.combinator, tag, (id) => this.devices.get(id) ?? null);
  }

  /** The conditions that name a device or tag not (or no longer) there. */
  missingReferences(config: AlarmRuleConfig): FieldProblem[] {
    return config.conditions.flatMap((c, i) => {
      if (c.kind === 'offline') {
        return this.devices.has(c.deviceId) ? [] : [{ path: `conditions.${i}.deviceId`, message: 'no such device' }];
      }
      return this.tags.has(c.tagId) ? [] : [{ path: `conditions.${i}.tagId`, message: 'no such tag' }];
    });
  }
}
