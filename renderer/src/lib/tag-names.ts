interface NamedTag {
  id: number;
  name: string;
  deviceId: number;
}

/**
 * What a chart calls its tags: the tag's name, or "device · name" where two of the tags on it share a name (the
 * same signal on two PLCs), so legend, readout and PNG tell them apart.
 */
export function chartNames(tags: readonly NamedTag[], deviceNames: ReadonlyMap<number, string>): Map<number, string> {
  const count = new Map<string, number>();
  for (const t of tags) count.set(t.name, (count.get(t.name) ?? 0) + 1);
  return new Map(
    tags.map((t) => {
      if ((count.get(t.name) ?? 0) < 2) return [t.id, t.name];
      const device = deviceNames.get(t.deviceId) ?? `Device ${t.deviceId}`;
      return [t.id, `${device} · ${t.name}`];
    }),
  );
}
