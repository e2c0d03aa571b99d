import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, beforeEach } from 'vitest';

/** With TWINEDGE_STALL_LOG=FILE every test's longest delay is appended there as a JSON line (for a suite summary). */
const LOG = process.env.TWINEDGE_STALL_LOG;

/** The goal (issue 16): no event-loop stall over this in any test. Reported, never failed on: CI machines are loaded. */
const STALL_MS = 100;

// One histogram per test file's worker; 10 ms resolution is fine enough for a 100 ms goal and costs nothing.
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

beforeEach(() => delay.reset());

/**
 * Records the longest event-loop delay of each test and prints a line for a test that had a stall over 100 ms,
 * so a stall caused by the code under test is seen where it happens. Stalls caused by our own code paths are fixed
 * and proven by counts in their tests (rows per step, parses per list), not by wall-clock assertions here.
 */
afterEach((ctx) => {
  const longestMs = delay.max / 1e6;
  delay.reset();
  const file = ctx.task.file.name;
  if (LOG) appendFileSync(LOG, `${JSON.stringify({ file, test: ctx.task.name, ms: Math.round(longestMs) })}\n`);
  if (longestMs <= STALL_MS) return;
  console.warn(
    `Event-loop stall: ${Math.round(longestMs)} ms in "${ctx.task.name}" (${file}); the goal is none over ${STALL_MS} ms.`,
  );
});
