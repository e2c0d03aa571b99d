// One invalid field of an input, with a message for the person who typed it.

export interface FieldProblem {
  /** Dotted path to the bad field, e.g. "tags.2.nodeId". */
  path: string;
  message: string;
}
