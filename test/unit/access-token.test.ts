import { describe, expect, it } from 'vitest';
import { AppError } from '../../main/domain/errors/app-error.js';
import { accessTokenFromEnv, newToken } from '../../main/server/token.js';

describe('the browser-mode access token', () => {
  it('is fresh per run unless the environment fixes one', () => {
    expect(accessTokenFromEnv({})).toBeUndefined();
    expect(accessTokenFromEnv({ TWINEDGE_ACCESS_TOKEN: '' })).toBeUndefined();
    expect(newToken()).not.toBe(newToken());
    expect(newToken()).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('takes a fixed token as long and as URL-safe as a fresh one', () => {
    const token = 'Qx7_Lm2-Zp9vRt4WnY8aBc3dEf6GhJk1';
    expect(accessTokenFromEnv({ TWINEDGE_ACCESS_TOKEN: token })).toBe(token);
    // A fresh token is accepted as a fixed one: the generated shape and the accepted shape agree.
    const fresh = newToken();
    expect(accessTokenFromEnv({ TWINEDGE_ACCESS_TOKEN: fresh })).toBe(fresh);
  });

  it('refuses a short or malformed token with a message that says how to make a good one', () => {
    for (const bad of ['secret', 'a'.repeat(31), `${'a'.repeat(32)} `, `${'a'.repeat(32)}/+=`, 'ä'.repeat(40)]) {
      let caught: unknown;
      try {
        accessTokenFromEnv({ TWINEDGE_ACCESS_TOKEN: bad });
      } catch (err) {
        caught = err;
      }
      expect(caught, bad).toBeInstanceOf(AppError);
      const message = (caught as AppError).message;
      expect(message).toContain('TWINEDGE_ACCESS_TOKEN must be 32 to 256 characters');
      expect(message).toContain(`it is ${bad.length} characters`);
      expect(message).toContain('openssl rand');
      // The value itself is never repeated back (it may be a near-miss of the real one).
      expect(message).not.toContain(bad);
    }
  });
});
