import type { TagNodeUpdate } from '../collect/types.js';
import { describeBrowsePath } from '../collect/opcua/browse-path.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import { errorMessage } from '../domain/errors/app-error.js';

/** Log lines per update batch; a PLC download can move thousands of tags at once, the rest is a count. */
const MAX_LINES = 20;

/**
 * Stores what an OPC UA collector found on the server: tags renumbered by a PLC download (new node id, same browse
 * path) and browse paths learned for tags that had none. Saved through the devices repository like an edit in the
 * Devices view, so the config stays one truth and each tag keeps its store id (its history continues). The collector is
 * not restarted: it already follows the new ids. A tag the user edited meanwhile (node id no longer the old one) is
 * left as the user made it. Returns the number of tags changed.
 */
export const storeTagNodes = (
  deps: { store: Store | null; log: Logger; changed: () => void },
  deviceId: number,
  updates: readonly TagNodeUpdate[],
): number => {
  const { store, log } = deps;
  const device = store?.devices.get(deviceId);
  if (!store || !device || device.config.protocol !== 'opcua') return 0;
  const byId = new Map(updates.map((u) => [u.tagId, u]));
  const applied: TagNodeUpdate[] = [];
  const tags = device.config.tags.map((t) => {
    const u = t.id !== undefined ? byId.get(t.id) : undefined;
    if (!u || t.nodeId !== u.oldNodeId) return t;
    if (t.nodeId === u.nodeId && t.browsePath === u.browsePath) return t;
    applied.push(u);
    return { ...t, nodeId: u.nodeId, browsePath: u.browsePath };
  });
  if (applied.length === 0) return 0;
  try {
    store.devices.save({ ...device.config, tags });
  } catch (err) {
    log.error(`Device "${device.config.name}": the tags' new node ids could not be stored: ${errorMessage(err)}`);
    return 0;
  }
  const moved = applied.filter((u) => u.reason === 'moved');
  const learned = applied.length - moved.length;
  for (const u of moved.slice(0, MAX_LINES)) {
    log.info(
      `Device "${device.config.name}": tag "${u.name}" moved from node ${u.oldNodeId} to ${u.nodeId}, found again by ` +
        `its browse path ${describeBrowsePath(u.browsePath)}; its history continues.`,
    );
  }
  if (moved.length > MAX_LINES) {
    log.info(`Device "${device.config.name}": ${moved.length - MAX_LINES} more tags moved to new node ids.`);
  }
  if (moved.length > 0) {
    log.warn(
      `Device "${device.config.name}": ${moved.length} tags were renumbered on the server (a PLC download?) and ` +
        'now follow their new node ids.',
    );
  }
  if (learned > 0) {
    log.info(
      `Device "${device.config.name}": browse path stored for ${learned} tags, so they are found again if the ` +
        'server renumbers its nodes.',
    );
  }
  deps.changed();
  return applied.length;
};
