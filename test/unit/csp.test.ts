import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, securityHeaders } from '../../main/server/security-headers.js';

/**
 * The renderer's Content Security Policy. Both shells send `contentSecurityPolicy` as a header (the desktop
 * shell from its twinedge:// protocol handler, browser mode from its HTTP server: see desktop-shell.test.ts and
 * browser-server.test.ts), and renderer/index.html carries the same policy in a meta tag.
 */
const directives = (policy: string): Map<string, string[]> =>
  new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]): [string, string[]] => [name ?? '', sources]),
  );

describe('content security policy', () => {
  const header = directives(contentSecurityPolicy);

  it('allows only the app itself: no inline or eval code, no other site, no framing, no plugins', () => {
    expect(Object.fromEntries(header)).toEqual({
      'default-src': ["'none'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'font-src': ["'self'"],
      'connect-src': ["'self'"],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
      'frame-ancestors': ["'none'"],
    });
    expect(contentSecurityPolicy).not.toMatch(/unsafe-|\*|https?:|blob:|ws:/);
    // object-src, frame-src, worker-src, media-src... fall back to default-src 'none'.
    expect(header.has('object-src')).toBe(false);
    expect(securityHeaders['Content-Security-Policy']).toBe(contentSecurityPolicy);
    expect(securityHeaders['X-Frame-Options']).toBe('DENY');
  });

  it("renderer/index.html's meta policy is the same, minus what a meta tag can't carry", () => {
    const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBeDefined();
    const fromMeta = directives(meta ?? '');
    const expected = new Map(header);
    expected.delete('frame-ancestors'); // ignored in a meta tag: the header and X-Frame-Options carry it
    expect(Object.fromEntries(fromMeta)).toEqual(Object.fromEntries(expected));
    // No inline script or style in the page itself.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style/);
  });
});
