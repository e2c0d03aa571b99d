import { protocol } from 'electron';
import { readStatic } from '../server/static-files.js';
import { contentSecurityPolicy } from '../server/security-headers.js';

/**
 * The UI is served from a custom privileged scheme rather than file://, so it has a real origin for
 * the CSP and for checking IPC senders, and can't read arbitrary files.
 */
export const appScheme = 'twinedge';
export const appOrigin = `${appScheme}://app`;

/**
 * Whether a URL belongs to the app's own UI. Compares scheme and host rather than `origin`: Node's URL
 * gives every non-special scheme the origin "null".
 */
export const isAppUrl = (raw: string): boolean => {
  try {
    const url = new URL(raw);
    return url.protocol === `${appScheme}:` && url.host === 'app';
  } catch {
    return false;
  }
};

/** Must run before the app is ready. */
export const registerAppScheme = (): void => {
  protocol.registerSchemesAsPrivileged([{ scheme: appScheme, privileges: { standard: true, secure: true } }]);
};

export const serveRenderer = (rendererDir: string): void => {
  protocol.handle(appScheme, async (request) => {
    const url = new URL(request.url);
    const file = url.host === 'app' ? await readStatic(rendererDir, url.pathname) : null;
    if (!file) return new Response('Not found', { status: 404 });
    return new Response(new Uint8Array(file.body), {
      headers: { 'Content-Type': file.type, 'Content-Security-Policy': contentSecurityPolicy },
    });
  });
};
