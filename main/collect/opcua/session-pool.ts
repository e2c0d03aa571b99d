// The browse session pool: one session per device, opened on demand, replaced when broken or when the device's
// connection settings change, and closed after a few idle minutes.
import type { SecretStore } from '../../secrets/secret-store.js';
import { openBrowseSession, type BrowseSession, type BrowseSessionDevice } from './browse-session.js';
import type { BrowseContext, SessionCaches } from './browse-context.js';
import { describeOpcUaError } from './messages.js';
import { OpcUaBrowseError } from './opcua-errors.js';

export type OpenBrowseSession = (
  device: BrowseSessionDevice,
  opts: { pkiDir: string; secrets?: SecretStore; timeoutMs?: number },
) => Promise<BrowseSession>;

export interface SessionPoolOptions {
  pkiDir: string;
  secrets?: SecretStore;
  idleMs: number;
  maxRefs: number;
  timeoutMs: number;
  open?: OpenBrowseSession;
}

interface Entry extends SessionCaches {
  key: string;
  opening: Promise<BrowseSession>;
  session: BrowseSession | null;
  idle: NodeJS.Timeout | null;
  busy: number;
}

/** The settings a browse session depends on; a change means a new session. */
const sessionKey = (d: BrowseSessionDevice): string =>
  JSON.stringify([d.settings.endpointUrl, d.settings.securityMode, d.settings.securityPolicy, d.settings.identity]);

/** Errors after which the session cannot be used again. */
const sessionBroken = (e: unknown): boolean => {
  const text = e instanceof Error ? e.message : String(e);
  return /BadSession|BadSecureChannel|BadConnectionClosed|BadCommunicationError|BadNotConnected|closed|ECONNRESET|EPIPE|disconnect|took longer than/i.test(
    text,
  );
};

export class BrowseSessionPool {
  private readonly sessions = new Map<number, Entry>();
  private closed = false;

  constructor(private readonly opts: SessionPoolOptions) {}

  /** Devices with an open (or opening) browse session. */
  openSessions(): number[] {
    return [...this.sessions.keys()];
  }

  /**
   * Runs `fn` on the device's session, opening one if needed. With `retry`, a session that turns out
   * to be broken (server restarted, session timed out) is replaced once.
   */
  async use<T>(device: BrowseSessionDevice, retry: boolean, fn: (ctx: BrowseContext) => Promise<T>): Promise<T> {
    if (this.closed) throw new OpcUaBrowseError('not_connected', 'the app is stopping');
    for (let attempt = 0; ; attempt++) {
      const entry = this.entryFor(device);
      let bs: BrowseSession;
      try {
        bs = await entry.opening;
      } catch (e) {
        throw new OpcUaBrowseError(
          'not_connected',
          `cannot connect to ${device.settings.endpointUrl}: ${describeOpcUaError(e)}`,
        );
      }
      entry.busy++;
      this.touch(device.id, entry);
      try {
        return await fn({
          session: bs.session,
          cache: entry,
          timeoutMs: this.opts.timeoutMs,
          maxRefs: this.opts.maxRefs,
        });
      } catch (e) {
        if (e instanceof OpcUaBrowseError) throw e;
        const broken = sessionBroken(e);
        if (broken) await this.drop(device.id, entry);
        if (broken && retry && attempt === 0) continue;
        throw new OpcUaBrowseError(
          broken ? 'not_connected' : 'server_error',
          broken
            ? `the connection to ${device.settings.endpointUrl} was lost: ${describeOpcUaError(e)}`
            : describeOpcUaError(e),
        );
      } finally {
        entry.busy--;
        this.touch(device.id, entry);
      }
    }
  }

  private entryFor(device: BrowseSessionDevice): Entry {
    const key = sessionKey(device);
    const existing = this.sessions.get(device.id);
    if (existing && existing.key === key) return existing;
    if (existing) void this.drop(device.id, existing);
    const open = this.opts.open ?? openBrowseSession;
    const entry: Entry = {
      key,
      opening: open(device, {
        pkiDir: this.opts.pkiDir,
        ...(this.opts.secrets ? { secrets: this.opts.secrets } : {}),
        timeoutMs: this.opts.timeoutMs,
      }),
      session: null,
      idle: null,
      busy: 0,
      typeNames: new Map(),
      builtins: new Map(),
      namespaces: null,
      maxContinuationPoints: null,
    };
    this.sessions.set(device.id, entry);
    entry.opening.then(
      (bs) => {
        entry.session = bs;
        if (this.sessions.get(device.id) !== entry) {
          void bs.close();
          return;
        }
        bs.onLost(() => void this.drop(device.id, entry));
      },
      () => {
        // A failed open is not kept: the next request tries again.
        if (this.sessions.get(device.id) === entry) this.sessions.delete(device.id);
      },
    );
    return entry;
  }

  private touch(deviceId: number, entry: Entry): void {
    if (entry.idle) clearTimeout(entry.idle);
    entry.idle = null;
    if (entry.busy > 0 || this.sessions.get(deviceId) !== entry) return;
    entry.idle = setTimeout(() => void this.drop(deviceId, entry), this.opts.idleMs);
    entry.idle.unref();
  }

  private async drop(deviceId: number, entry: Entry): Promise<void> {
    if (entry.idle) clearTimeout(entry.idle);
    entry.idle = null;
    if (this.sessions.get(deviceId) === entry) this.sessions.delete(deviceId);
    const bs = entry.session ?? (await entry.opening.catch(() => null));
    await bs?.close();
  }

  /** Closes the device's browse session (device deleted, or its settings changed). */
  async close(deviceId: number): Promise<void> {
    const entry = this.sessions.get(deviceId);
    if (entry) await this.drop(deviceId, entry);
  }

  /** Keeps only sessions of these devices with these settings; closes the rest. */
  async retain(devices: BrowseSessionDevice[]): Promise<void> {
    const keys = new Map(devices.map((d) => [d.id, sessionKey(d)]));
    await Promise.all(
      [...this.sessions].filter(([id, e]) => keys.get(id) !== e.key).map(([id, e]) => this.drop(id, e)),
    );
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.sessions].map(([id, e]) => this.drop(id, e)));
  }
}
