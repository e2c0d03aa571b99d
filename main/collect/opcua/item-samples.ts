import { DataType, VariantArrayType, type DataValue, type Variant } from 'node-opcua';
import type { Sample } from '../../domain/sample/sample.js';
import { readField, structureValue, type FieldPath, type OpaqueNamer } from './structure-fields.js';
import { UaCodes, bad, scalarReading, singleElement, type Reading } from './value-kinds.js';

/**
 * One monitored item's notification, fanned out to the tags that read from it: the value itself, or one field
 * each of a structure. Each tag gets a number, a text or Bad with the reason, never a silent null.
 */

export interface ItemTag {
  tagId: number;
  /** The item's index range ('' = the whole value); the server applied it already. */
  indexRange: string;
  path: FieldPath;
}

/** What a tag's value is, for the app (text tags stay off numeric axes). */
export type ValueKind = 'number' | 'text';

/** Receives a tag's problem (null = none) and the kind of value it holds now. */
export interface SampleSink {
  problem(tagId: number, quality: number, message: string | null): void;
  kind(tagId: number, kind: ValueKind): void;
}

const structName = (v: unknown): string | null => {
  const s = (v as { schema?: { name?: unknown } } | null)?.schema?.name;
  return typeof s === 'string' ? s : null;
};

/** The reading of one tag from a value (variant) of its item. */
export const readingOf = (variant: Variant | null, tag: ItemTag, namer?: OpaqueNamer): Reading => {
  if (!variant || variant.dataType === DataType.Null) {
    return bad(UaCodes.BadWaitingForInitialData, 'the server sent no value (Null)');
  }
  let value: unknown = variant.value;
  if (variant.arrayType !== VariantArrayType.Scalar) {
    const one = singleElement(variant, tag.indexRange);
    if (!one.ok) {
      const items = (variant.value as ArrayLike<unknown> | null) ?? [];
      const name = variant.dataType === DataType.ExtensionObject ? structName(items[0]) : null;
      if (name && tag.indexRange === '') {
        return bad(
          UaCodes.BadTypeMismatch,
          `an array of ${items.length} ${name} structures: choose one with an index range (0 to ${items.length - 1})`,
        );
      }
      return one.reading;
    }
    value = one.value;
  }
  if (variant.dataType === DataType.ExtensionObject) {
    return tag.path.segments.length === 0 ? structureValue(value, namer) : readField(value, tag.path, namer);
  }
  if (tag.path.segments.length > 0) {
    return bad(
      UaCodes.BadTypeMismatch,
      `the value is a ${DataType[variant.dataType]}, not a structure: it has no field ${tag.path.text}`,
    );
  }
  return scalarReading(value, variant.dataType);
};

const severity = (code: number): number => code >>> 30;

/**
 * Appends one sample per tag of the item to `out`. A Bad status from the server is kept as it is; an Uncertain
 * one stays on the converted value.
 */
export const appendSamples = (
  dv: DataValue,
  tags: readonly ItemTag[],
  now: number,
  out: Sample[],
  sink: SampleSink,
  namer?: OpaqueNamer,
): void => {
  const status = dv.statusCode?.value ?? 0x80000000;
  const t = dv.sourceTimestamp?.getTime() ?? dv.serverTimestamp?.getTime() ?? now;
  const ts = Number.isFinite(t) ? t : now;
  if (severity(status) >= 2) {
    const message = `the server reports ${dv.statusCode.name}`;
    for (const tag of tags) {
      out.push({ tagId: tag.tagId, ts, value: null, quality: status });
      sink.problem(tag.tagId, status, message);
    }
    return;
  }
  for (const tag of tags) {
    const r = readingOf(dv.value, tag, namer);
    switch (r.kind) {
      case 'number':
        out.push({ tagId: tag.tagId, ts, value: r.value, quality: status });
        sink.problem(tag.tagId, status, null);
        sink.kind(tag.tagId, 'number');
        break;
      case 'uncertain': {
        const quality = status === 0 ? r.quality : status;
        out.push({ tagId: tag.tagId, ts, value: r.value, quality });
        sink.problem(tag.tagId, quality, r.reason);
        sink.kind(tag.tagId, 'number');
        break;
      }
      case 'text':
        out.push({ tagId: tag.tagId, ts, value: null, quality: status, text: r.text });
        sink.problem(tag.tagId, status, null);
        sink.kind(tag.tagId, 'text');
        break;
      case 'bad':
        out.push({ tagId: tag.tagId, ts, value: null, quality: r.quality });
        sink.problem(tag.tagId, r.quality, r.reason);
        break;
    }
  }
};
