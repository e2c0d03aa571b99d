import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What the peer had received, and the CPU it had used, at one mark. */
export interface PeerMark {
  received: number;
  cpuSeconds: number;
  /** Values the peer actually read (0 = it counted without decoding). */
  read: number;
}

export interface OpcUaPeer {
  mark(): Promise<PeerMark>;
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL('./opcua-peer-child.ts', import.meta.url));

/**
 * Starts opcua-peer-child.ts and resolves once it is subscribed to every item: `count` generated node ids
 * (scalars, structs) or the node ids listed in the JSON file `count` names (nodes).
 */
export const startOpcUaPeer = (
  url: string,
  mode: 'scalars' | 'structs' | 'nodes',
  count: number | string,
  fields = 0,
): Promise<OpcUaPeer> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, url, mode, String(count), String(fields)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    const waiters: ((m: PeerMark) => void)[] = [];
    child.once('exit', (code) => reject(new Error(`bench OPC UA peer exited (${code}): ${out}`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
        const line = out.slice(0, nl).trim();
        out = out.slice(nl + 1);
        const m = /^MARK (\d+) ([\d.e+-]+) (\d+)$/.exec(line);
        if (m) waiters.shift()?.({ received: Number(m[1]), cpuSeconds: Number(m[2]), read: Number(m[3]) });
        if (line === 'READY') {
          child.removeAllListeners('exit');
          resolve({
            mark: () =>
              new Promise((done) => {
                waiters.push(done);
                child.stdin.write('mark\n');
              }),
            stop: () =>
              new Promise((done) => {
                const t = setTimeout(() => child.kill('SIGKILL'), 5000);
                child.once('exit', () => {
                  clearTimeout(t);
                  done();
                });
                child.stdin.end();
              }),
          });
        }
      }
    });
  });
