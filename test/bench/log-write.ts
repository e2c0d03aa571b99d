import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../main/log/logger.js';
import { REDACTED, SecretRedactor } from '../../main/log/redactor.js';
import { result, type BenchResult } from './result.js';

const LINES = 20_000;
const API_KEY = 'te_live_9fQ2xLmP4vRt8WnY3aBc';
const PASSWORDS = ['Pump-Skid#2024', 'operator!line3', 'S7-1500-admin'];

/** A device-flapping burst: the kind of text that reaches the log in bulk, some of it around secrets. */
const message = (i: number): string =>
  i % 10 === 0
    ? `Device "Line ${i % 7}" connect failed: Basic ${Buffer.from(`admin:${PASSWORDS[i % 3] ?? ''}`).toString('base64')} refused (attempt ${i})`
    : `Device "Line ${i % 7}" poll ${i}: 48 registers read from 10.0.${i % 250}.${i % 200}:502 in 12 ms, quality Good`;

/**
 * log.lines: lines per second through the app's logger (every line redacted for 4 registered secrets and the
 * named-value patterns, buffered, rotation checked, appended to the file in batches, flushed at the end) against
 * the same lines, unredacted, appended in 64 KiB batches to one open file: the same amount of file I/O, in the
 * same run. The ratio is the cost of the logger's own work (redaction, whole-line bookkeeping) over the I/O.
 */
export const benchLogWrite = (): BenchResult[] => {
  const dir = mkdtempSync(join(tmpdir(), 'twinedge-bench-log-'));
  try {
    const redactor = new SecretRedactor();
    for (const s of [API_KEY, ...PASSWORDS]) redactor.register(s);
    const log = createLogger({ file: join(dir, 'app', 'twinedge.log'), level: 'info', redactor, maxBytes: 1 << 30 });
    const raw = join(dir, 'raw.log');
    const lines = Array.from({ length: LINES }, (_, i) => message(i));

    // Warm-up, then each timed alternately twice; the best of each counts (the machine is shared).
    const timeApp = (): number => {
      const t = performance.now();
      for (const m of lines) log.info(m);
      log.flush();
      return performance.now() - t;
    };
    const timeRaw = (): number => {
      const t = performance.now();
      const fd = openSync(raw, 'a');
      let batch = '';
      for (const m of lines) {
        batch += `${new Date().toISOString()} INFO  ${m}\n`;
        if (batch.length >= 64 * 1024) {
          writeSync(fd, batch);
          batch = '';
        }
      }
      if (batch) writeSync(fd, batch);
      closeSync(fd);
      return performance.now() - t;
    };
    timeApp();
    timeRaw();
    const appMs = Math.min(timeApp(), timeApp());
    const rawMs = Math.min(timeRaw(), timeRaw());

    // The figure only counts if the redaction happened: no password, base64 form included, in the file.
    const written = readFileSync(join(dir, 'app', 'twinedge.log'), 'utf8');
    const leaked = PASSWORDS.filter(
      (p) => written.includes(p) || written.includes(Buffer.from(`admin:${p}`).toString('base64')),
    );
    if (leaked.length > 0 || !written.includes(REDACTED)) throw new Error('log bench: redaction did not happen');

    const perSec = (ms: number): number => (LINES / ms) * 1000;
    return [result('log.lines', perSec(appMs), 'lines/s', perSec(rawMs))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
