/**
 * Where the API key may go. TwinEdge is reached over https only; plain http only to this computer (a local
 * gateway or the simulator), where nothing crosses a network. The key is bound to the host it was entered for.
 */

/** localhost, 127.0.0.0/8 and ::1. */
export const isLoopbackHost = (hostname: string): boolean => {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
};

/** Why this base URL may not carry the API key, or null when it may. */
export const baseUrlProblem = (url: string): string | null => {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL: enter an address such as https://host/v1';
  }
  if (u.username !== '' || u.password !== '')
    return 'a user name or password in the URL is not allowed (the API key is set separately)';
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) return null;
  if (u.protocol === 'http:')
    return `plain http sends the API key unencrypted: use https://${u.host}${u.pathname} (http only for this computer: localhost or 127.0.0.1)`;
  return 'an https URL such as https://host/v1';
};

/** host[:port] of a base URL, lower case; null when it is not a URL. */
export const hostOf = (url: string): string | null => {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
};
