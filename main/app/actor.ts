import { userInfo } from 'node:os';
import type { AppInfo } from '../domain/app/app-info.js';

/** Who acts, for the audit log: the OS account running the app and the shell used ("jdoe (desktop)"). */
export const actor = (shell: AppInfo['shell']): string => {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): still record what is known.
    user = process.env.USER ?? process.env.USERNAME ?? 'unknown user';
  }
  return `${user} (${shell === 'desktop' ? 'desktop' : 'browser mode'})`;
};
