import { app, session, type WebContents, type WebFrameMain } from 'electron';
import { isAppUrl } from './app-protocol.js';

/** True only for the top frame of one of our windows showing our own bundled UI. */
export const isTrustedSender = (frame: WebFrameMain | null): boolean => {
  return frame !== null && frame.parent === null && isAppUrl(frame.url);
};

/**
 * Electron's security checklist, applied to every web contents the app ever creates: no navigation
 * away from the app, no new windows, no webviews, no permissions (camera, notifications...).
 */
export const hardenWebContents = (): void => {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
};
