// The kinds of tag whose raw samples cost different amounts to store (shown per kind in the retention panel).

export const rawClasses = ['analog', 'integer', 'digital', 'text'] as const;
export type RawClass = (typeof rawClasses)[number];

/** What a tag's stored samples look like, when its configuration does not say (OPC UA tags). */
export interface StoredValueShape {
  text: boolean;
  /** Every value 0 or 1. */
  digital: boolean;
  /** Every value a whole number. */
  integer: boolean;
}

/**
 * A tag's class from its configured data type (Modbus), else from its stored values; analog when neither says.
 * A scaled or offset integer register yields fractions: analog.
 */
export const rawClassOf = (
  config: { dataType?: unknown; scale?: unknown; offset?: unknown },
  stored: StoredValueShape | null,
): RawClass => {
  const dt = typeof config.dataType === 'string' ? config.dataType : null;
  if (dt === 'bool') return 'digital';
  if (dt === 'string') return 'text';
  if (dt === 'float32' || dt === 'float64') return 'analog';
  if (dt !== null && /^u?int\d+$/.test(dt)) {
    const scaled = (config.scale ?? 1) !== 1 || (config.offset ?? 0) !== 0;
    return scaled ? 'analog' : 'integer';
  }
  if (stored?.text) return 'text';
  if (stored?.digital) return 'digital';
  if (stored?.integer) return 'integer';
  return 'analog';
};
