/** What a write dialog sends, and what its input check returns (see components/WriteFlow.svelte). */
export type WriteValue = number | boolean | string;
export type Parsed = { ok: true; value: WriteValue } | { ok: false; error: string };
