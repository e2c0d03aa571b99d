import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PlcSpaceMode } from '../fixtures/opcua-plc-space.js';

/** test/fixtures/opcua-server.ts in its own process: killed with SIGKILL like a PLC losing power. */
export interface OpcUaServerProcess {
  port: number;
  endpointUrl: string;
  /** Sessions, subscriptions and monitored items the server holds right now. */
  stats(): Promise<{ sessions: number; subscriptions: number; items: number }>;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL('../fixtures/opcua-server.ts', import.meta.url));

export const startOpcUaServer = (
  port: number,
  pkiDir: string,
  opts: {
    variables?: number;
    updateMs?: number;
    startTimeoutMs?: number;
    /** Adds the test PLC's address space (test/fixtures/opcua-plc-space.ts) in this mode. */
    plc?: PlcSpaceMode;
    /** With plc: Bench_t structures ns=1;s=Plc.Bench.S0.. changing every updateMs. */
    benchStructs?: number;
    /** Another fixture script taking PORT PKI_DIR and these arguments, printing "READY <port>" the same way. */
    fixture?: { script: string; args: string[] };
  } = {},
): Promise<OpcUaServerProcess> =>
  new Promise((resolve, reject) => {
    const args = opts.fixture
      ? ['--import', 'tsx', opts.fixture.script, String(port), pkiDir, ...opts.fixture.args]
      : [
          '--import',
          'tsx',
          script,
          String(port),
          pkiDir,
          String(opts.variables ?? 10),
          String(opts.updateMs ?? 100),
          opts.plc ?? 'none',
          String(opts.benchStructs ?? 0),
        ];
    const child: ChildProcess = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let statsWaiter: ((line: string) => void) | null = null;
    // The first start creates the server's certificate: slow on a busy machine.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`OPC UA test server did not start: ${out}`));
    }, opts.startTimeoutMs ?? 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`OPC UA test server exited (${code}): ${out}`));
    });
    const ended = (): Promise<void> =>
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
      });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const stats = /STATS .*/.exec(d.toString());
      if (stats && statsWaiter) statsWaiter(stats[0]);
      const m = /READY (\d+)/.exec(out);
      if (m && child.listenerCount('exit') > 0 && port >= 0) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        const bound = Number(m[1]);
        resolve({
          port: bound,
          endpointUrl: `opc.tcp://127.0.0.1:${bound}`,
          stats: () =>
            new Promise((done) => {
              statsWaiter = (line) => {
                statsWaiter = null;
                const n = (k: string): number => Number(new RegExp(`${k}=(\\d+)`).exec(line)?.[1] ?? NaN);
                done({ sessions: n('sessions'), subscriptions: n('subscriptions'), items: n('items') });
              };
              child.stdin?.write('stats\n');
            }),
          kill: () => {
            const e = ended();
            child.kill('SIGKILL');
            return e;
          },
          stop: () => {
            const e = ended();
            child.kill('SIGTERM');
            return e;
          },
        });
      }
    });
  });
