import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs test/fixtures/pymodbus_server.py (an independent Modbus peer) and waits for its READY line. */
export interface PyModbus {
  port: number;
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL('../fixtures/pymodbus_server.py', import.meta.url));

export interface PyModbusOptions {
  /** JSON register map for unit 3 (see the fixture's docstring). */
  mapFile?: string;
  /** Never answer unit ids the server does not have. */
  ignoreMissing?: boolean;
}

export const startPyModbus = (port = 0, opts: PyModbusOptions = {}): Promise<PyModbus> =>
  new Promise((resolve, reject) => {
    const args = [script, String(port)];
    if (opts.mapFile) args.push('--map', opts.mapFile);
    if (opts.ignoreMissing) args.push('--ignore-missing');
    const child: ChildProcess = spawn('/usr/bin/python3', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pymodbus server did not start: ${err}`));
    }, 15_000);
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pymodbus server exited (${code}): ${err}`));
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        port: Number(m[1]),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
