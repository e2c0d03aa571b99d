import { spawn, type ChildProcess } from 'node:child_process';

/** A peer program run for a test: started, its ready line seen, stopped in afterAll. */
export interface PeerProcess {
  /** The first capture group of the ready pattern. */
  ready: string;
  /** Output seen so far (stdout and stderr), for failure messages. */
  output(): string;
  stop: () => Promise<void>;
  /** kill -9, resolved once the process is gone (crash tests). */
  kill: () => Promise<void>;
}

/**
 * Spawns `command` and resolves once `readyPattern` appears on stdout or stderr. Rejects (and kills the
 * child) if it exits first or stays silent for `startTimeoutMs`.
 */
export const startPeer = (
  what: string,
  command: string,
  args: string[],
  readyPattern: RegExp,
  startTimeoutMs = 15_000,
  /** Added to this process's environment. */
  env: NodeJS.ProcessEnv = {},
): Promise<PeerProcess> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let out = '';
    const end = (signal: NodeJS.Signals): Promise<void> =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill(signal);
      });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not start: ${out}`));
    }, startTimeoutMs);
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}): ${out}`));
    };
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${what} could not be started: ${err.message}`));
    });
    child.once('exit', onExit);
    const onOutput = (d: Buffer): void => {
      const before = out;
      out += d.toString();
      if (readyPattern.test(before)) return;
      const m = readyPattern.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve({ ready: m[1] ?? '', output: () => out, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') });
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
  });
