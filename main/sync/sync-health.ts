// What the parts of cloud sync learn about TwinEdge's answers, shared so that one status can report them.
import type { Logger } from '../log/logger.js';

/** Whether TwinEdge answered, its last refusal of the key, the last error and upload, and warnings said once. */
export class SyncHealth {
  /** TwinEdge answered a request of the current clients (any status). */
  answered = false;
  lastError: { at: number; message: string } | null = null;
  lastUploadAt: number | null = null;
  uploaderDetail: string | null = null;
  /** The last answer from TwinEdge to any call was 401/403: the key is refused, whoever asked. */
  keyRefused: string | null = null;
  /** Misread answers and ingest answer shapes already logged (WARN once per distinct one). */
  private readonly warnedOnce = new Set<string>();

  constructor(private readonly log: Logger) {}

  warnOnce(key: string, line: string): void {
    if (this.warnedOnce.has(key)) return;
    this.warnedOnce.add(key);
    this.log.warn(line);
  }
}
