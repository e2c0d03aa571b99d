import type { NodeId } from 'node-opcua';
import type { OpcUaTag } from '../../domain/device/opcua-schema.js';
import type { ItemTag } from './item-samples.js';
import { parseFieldPath } from './structure-fields.js';

/**
 * The collector's monitored-item layout: one item per (node, index range, monitoring parameters), however many
 * tags read from it. Twenty field tags of one structured variable are one item on the server, and each
 * notification is fanned out to the twenty (see item-samples.ts).
 */

export interface PlannedTag extends ItemTag {
  name: string;
  nodeId: NodeId;
  tag: OpcUaTag;
}

export interface ItemPlan {
  nodeId: NodeId;
  indexRange: string;
  /** Tags reading from this item; they share its monitoring parameters. */
  tags: PlannedTag[];
}

/**
 * Groups tags into items. `parametersKey` tells tags apart whose sampling, queue or deadband differ: those cannot
 * share an item, so they get their own. Items keep the order of their first tag.
 */
export const planItems = (
  tags: readonly { tagId: number; name: string; nodeId: NodeId; tag: OpcUaTag }[],
  parametersKey: (t: OpcUaTag) => string,
): ItemPlan[] => {
  const byKey = new Map<string, ItemPlan>();
  for (const t of tags) {
    const key = `${t.nodeId.toString()}\u0000${t.tag.indexRange}\u0000${parametersKey(t.tag)}`;
    let item = byKey.get(key);
    if (!item) {
      item = { nodeId: t.nodeId, indexRange: t.tag.indexRange, tags: [] };
      byKey.set(key, item);
    }
    item.tags.push({ ...t, indexRange: t.tag.indexRange, path: parseFieldPath(t.tag.field) });
  }
  return [...byKey.values()];
};
