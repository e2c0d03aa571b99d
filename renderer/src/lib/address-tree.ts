import type { BrowseEntry } from '../../../main/domain/opcua/browse.js';

/**
 * The address-space tree as the panel shows it: nodes loaded so far (children fetched on expand), and
 * the rows to draw (depth-first through expanded nodes, or, while finding, every loaded node that
 * matches plus the path to it).
 */

export interface TreeNode {
  entry: BrowseEntry;
  /** null until loaded. */
  children: string[] | null;
  parent: string | null;
  loading: boolean;
  error: string | null;
}

export interface TreeRow {
  /** Unique per row: the path of node ids (a node may appear under two parents). */
  key: string;
  id: string;
  node: TreeNode;
  level: number;
  /** Position among the shown siblings (1-based) and their count, for aria-posinset/setsize. */
  pos: number;
  size: number;
  expanded: boolean;
  /** While finding: the node itself matches (its ancestors are shown for context). */
  match: boolean;
}

/**
 * A row's identity in the tree: the node id, and for a part of a variable's value (a field, an element, the "N more"
 * row) its place in the value too, since those share the variable's node id.
 */
export function entryKey(e: BrowseEntry): string {
  if (!e.part) return e.nodeId;
  return [e.nodeId, e.part.indexRange, e.part.field, e.part.more ? 'more' : ''].join('\u0001');
}

/** A row that can become a tag: a variable, or a field/element holding one value (not a structure or an array). */
export function canBeTag(e: BrowseEntry): boolean {
  if (e.nodeClass !== 'Variable') return false;
  return !e.part || (!e.part.more && !e.hasChildren);
}

/** A tag's address as the tag list and the tree say it: "ns=1;s=Pump1 · Motor.Speed", "ns=1;s=Temps [2]". */
export function partText(part: Pick<NonNullable<BrowseEntry['part']>, 'indexRange' | 'field'>): string {
  return `${part.indexRange ? `[${part.indexRange}]` : ''}${part.indexRange && part.field ? '.' : ''}${part.field}`;
}

/** The default tag name of a field or element: "Pump1.Motor.Speed", "Temps[2]", "Matrix[1,0]", "Pumps[2].Speed". */
export function partTagName(
  variableName: string,
  part: Pick<NonNullable<BrowseEntry['part']>, 'indexRange' | 'field'>,
): string {
  return `${variableName}${part.indexRange ? `[${part.indexRange}]` : ''}${part.field ? `.${part.field}` : ''}`;
}

/** The variable a part row belongs to: up the tree to the first row that is a node itself. */
export function owningVariable(nodes: ReadonlyMap<string, TreeNode>, key: string): BrowseEntry | null {
  for (let k: string | null = key, n = 0; k !== null && n < 64; n++) {
    const node = nodes.get(k);
    if (!node) return null;
    if (!node.entry.part) return node.entry;
    k = node.parent;
  }
  return null;
}

export function matches(e: BrowseEntry, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return (
    e.displayName.toLowerCase().includes(q) ||
    e.browseName.toLowerCase().includes(q) ||
    e.nodeId.toLowerCase().includes(q)
  );
}

export function visibleRows(
  nodes: ReadonlyMap<string, TreeNode>,
  rootChildren: readonly string[],
  expanded: ReadonlySet<string>,
  query: string,
): TreeRow[] {
  const rows: TreeRow[] = [];
  const finding = query.trim() !== '';
  // While finding: which loaded nodes match or lead to a match.
  const keep = new Map<string, boolean>();
  const wanted = (id: string, seen: Set<string>): boolean => {
    const known = keep.get(id);
    if (known !== undefined) return known;
    const n = nodes.get(id);
    if (!n || seen.has(id)) return false;
    seen.add(id);
    let ok = matches(n.entry, query);
    for (const c of n.children ?? []) if (wanted(c, seen)) ok = true;
    keep.set(id, ok);
    return ok;
  };
  const walk = (ids: readonly string[], level: number, path: Set<string>): void => {
    const shown = finding ? ids.filter((id) => wanted(id, new Set())) : ids;
    shown.forEach((id, i) => {
      const node = nodes.get(id);
      if (!node || path.has(id)) return; // a reference loop is shown once
      const open = finding ? (node.children ?? []).some((c) => wanted(c, new Set())) : expanded.has(id);
      rows.push({
        key: [...path, id].join('\n'),
        id,
        node,
        level,
        pos: i + 1,
        size: shown.length,
        expanded: open,
        match: finding && matches(node.entry, query),
      });
      if (open && node.children) walk(node.children, level + 1, new Set([...path, id]));
    });
  };
  walk(rootChildren, 1, new Set());
  return rows;
}

/** A tag name not yet used on the device: "P-101 flow", else "P-101 flow (2)"... */
export function uniqueName(name: string, used: Set<string>): string {
  const base = name.trim().slice(0, 72) || 'tag';
  let candidate = base;
  for (let n = 2; used.has(candidate); n++) candidate = `${base} (${n})`;
  used.add(candidate);
  return candidate;
}
