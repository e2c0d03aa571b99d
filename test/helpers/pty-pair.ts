import { join } from 'node:path';
import { startPeer } from './child-process.js';

/**
 * Two connected pseudo-terminals made by socat: what one end writes the other reads, like a null-modem
 * cable. Each end is reached through a symlink in `dir`.
 */
export interface PtyPair {
  a: string;
  b: string;
  stop(): Promise<void>;
}

export const startPtyPair = async (dir: string, name = 'pty'): Promise<PtyPair> => {
  const a = join(dir, `${name}A`);
  const b = join(dir, `${name}B`);
  // -d -d logs "starting data transfer loop" once both ends exist.
  const peer = await startPeer(
    'socat',
    'socat',
    ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`],
    /(starting data transfer loop)/,
  );
  return { a, b, stop: peer.stop };
};
