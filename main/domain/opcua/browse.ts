// The address space as the browser shows it: references, parts of a value, and one node's attributes.

export interface BrowseEntry {
  nodeId: string;
  browseName: string;
  displayName: string;
  nodeClass: 'Object' | 'Variable' | 'Method' | 'ObjectType' | 'VariableType' | 'ReferenceType' | 'DataType' | 'View';
  /** False when the server reports no hierarchical children (a leaf in the tree). */
  hasChildren: boolean;
  /** Variables: the data type's name (Double, Boolean...). */
  dataType: string | null;
  /**
   * Where the node was found, from the Objects folder (the tag config's `browsePath` format, see
   * main/collect/opcua/browse-path.ts); for a part of a value, the variable's path. '' = not known.
   */
  browsePath: string;
  /** Set when the entry is inside a variable's value (a structure field, an array element); nodeId is the variable's. */
  part: ValuePart | null;
}

/** A position inside a variable's value, as a tag addresses it (OpcUaTag `indexRange` and `field`). */
export interface ValuePart {
  /** NumericRange of an array element ("3", "1,0" for row 1 column 0); '' = the whole value. */
  indexRange: string;
  /** Field path inside a structure ("Motor.Speed", "Items[2].Value"); '' = the value (or element) itself. */
  field: string;
  /**
   * Set on the stand-in row of an array with more elements than listed: how many were left out, and the array's
   * dimensions, so the engineer can choose a range to list (browse with `elements`).
   */
  more: { count: number; dimensions: number[] } | null;
}

export interface NodeDetails {
  nodeId: string;
  browseName: string;
  displayName: string;
  description: string | null;
  nodeClass: BrowseEntry['nodeClass'];
  dataType: string | null;
  valueRank: number | null;
  /** CurrentRead, CurrentWrite, HistoryRead... */
  accessLevel: string[];
  writable: boolean;
  /** The value as text (numbers, booleans, strings, arrays shortened); with `part`, that field's or element's. */
  value: string | null;
  /** Read for a field or element (dataType and value are then that part's); null = the node itself. */
  part: ValuePart | null;
  statusCode: number;
  /** Good, BadNodeIdUnknown... */
  statusText: string;
  sourceTimestamp: number | null;
  serverTimestamp: number | null;
  engineeringUnits: string | null;
  euRange: { low: number; high: number } | null;
  minimumSamplingIntervalMs: number | null;
}
