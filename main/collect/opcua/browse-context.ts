// The session, its per-session caches and the limits that every step of the address-space browser works with.
import type { ClientSession, DataType } from 'node-opcua';

/** What the browser remembers per session (namespace indexes and type ids are per server). */
export interface SessionCaches {
  /** DataType node id -> name. */
  typeNames: Map<string, string>;
  /** DataType node id -> the built-in type it derives from (ExtensionObject for structures). */
  builtins: Map<string, DataType | null>;
  namespaces: string[] | null;
  maxContinuationPoints: number | null;
}

/** One request's view of a pooled session. */
export interface BrowseContext {
  session: ClientSession;
  cache: SessionCaches;
  /** Per request. */
  timeoutMs: number;
  /** References per Browse/BrowseNext answer we ask for. */
  maxRefs: number;
}

export const isBad = (code: number): boolean => code >>> 30 >= 2;

/** "i=2253" rather than node-opcua's "ns=0;i=2253": how engineers write node ids of namespace 0. */
export const idText = (id: { toString(): string }): string => id.toString().replace(/^ns=0;/, '');

export const chunks = <T>(items: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};
