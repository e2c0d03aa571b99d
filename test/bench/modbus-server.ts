import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Starts modbus-server-child.ts (a full-size Modbus TCP server in its own process) on a free port. */
export const startModbusServer = (): Promise<{ port: number; stop: () => void }> =>
  new Promise((resolve, reject) => {
    const script = fileURLToPath(new URL('./modbus-server-child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('exit', (code) => reject(new Error(`bench Modbus server exited (${code})`)));
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) {
        child.removeAllListeners('exit');
        resolve({ port: Number(m[1]), stop: () => child.kill('SIGKILL') });
      }
    });
  });
