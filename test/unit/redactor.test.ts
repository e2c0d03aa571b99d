import { describe, expect, it } from 'vitest';
import { REDACTED, SecretRedactor, errorForLog, secretForms } from '../../main/log/redactor.js';
import { registeringSecrets } from '../../main/secrets/registering-store.js';
import { EnvSecretStore, secretEnvName } from '../../main/secrets/env-store.js';
import type { SecretStore } from '../../main/secrets/secret-store.js';

describe('the secret redactor', () => {
  it('replaces a registered secret, also URL-encoded and in base64, and nothing else', () => {
    const r = new SecretRedactor();
    const secret = 'p@ss w/rd+1=ä';
    r.register(secret);
    const text = [
      `plain ${secret} end`,
      `url ${encodeURIComponent(secret)} end`,
      `base64 ${Buffer.from(secret).toString('base64')} end`,
      `base64url ${Buffer.from(secret).toString('base64url')} end`,
    ].join('\n');
    const out = r.redact(text);
    for (const form of secretForms(secret)) expect(out).not.toContain(form);
    expect(out.split(REDACTED).length - 1).toBe(4);
    expect(out).toContain('plain [redacted] end');
    expect(r.redact('nothing secret here')).toBe('nothing secret here');
  });

  it('replaces secrets in error messages, stacks and causes', () => {
    const r = new SecretRedactor();
    const key = 'te_live_0123456789abcdef';
    r.register(key);
    const err = new Error(`request with ${key} failed`, { cause: new Error(`inner ${key}`) });
    const text = errorForLog(err, r);
    expect(text).not.toContain(key);
    expect(text).toContain('Error: request with [redacted] failed');
    expect(text).toContain('Caused by: Error: inner [redacted]');
    expect(text).toMatch(/\n\s+at /); // the stack is kept
  });

  it('redacts password- and key-like values in JSON-ish text, headers and URLs, secret or not', () => {
    const r = new SecretRedactor();
    const cases: [string, string][] = [
      ['{"password":"hunter22","user":"op"}', '{"password":"[redacted]","user":"op"}'],
      ["{ apiKey: 'abc123456' }", "{ apiKey: '[redacted]' }"],
      ['GET /x?api_key=abc123&b=1', 'GET /x?api_key=[redacted]&b=1'],
      ['X-API-Key: abcdef123', 'X-API-Key: [redacted]'],
      ['Authorization: Bearer te_live_abcdefgh', 'Authorization: Bearer [redacted]'],
      ['opc.tcp://operator:s3cret@plc:4840', 'opc.tcp://operator:[redacted]@plc:4840'],
      ['userPassword=xyz', 'userPassword=[redacted]'],
      ['token=abc', 'token=[redacted]'],
    ];
    for (const [input, expected] of cases) expect(r.redact(input)).toBe(expected);
    // Words and flags about passwords stay readable.
    for (const keep of [
      'Password of device "Pump" stored in the OS keychain.',
      'passwordSet: true',
      '"password": null',
      'Secrets: kept in the OS keychain (Secret Service).',
      'Basic settings saved',
      'http://127.0.0.1:8080/v1/keys',
    ])
      expect(r.redact(keep)).toBe(keep);
  });

  it('ignores empty and too-short values and replaces a longer secret as a whole', () => {
    const r = new SecretRedactor();
    r.register('');
    r.register(null);
    r.register('ab');
    expect(r.size).toBe(0);
    expect(r.redact('ab cd')).toBe('ab cd');
    r.register('abc');
    r.register('abcdef');
    expect(r.redact('xabcdefx abcx')).toBe('x[redacted]x [redacted]x');
  });

  it('registers a secret the moment the secret store reads or sets it', async () => {
    const r = new SecretRedactor();
    const values = new Map<string, string>([['device/1/password', 'read-secret-1']]);
    const inner: SecretStore = {
      description: 'memory',
      get: (k) => Promise.resolve(values.get(k) ?? null),
      set: () => Promise.reject(new Error('keychain locked')),
      delete: () => Promise.resolve(),
    };
    const store = registeringSecrets(inner, r);
    expect(r.redact('read-secret-1')).toBe('read-secret-1');
    expect(await store.get('device/1/password')).toBe('read-secret-1');
    expect(r.redact('x read-secret-1')).toBe('x [redacted]');
    // Registered before the store is asked, so a failed set cannot leak the value either.
    await expect(store.set('device/2/password', 'set-secret-2')).rejects.toThrow('keychain locked');
    expect(r.redact('set-secret-2')).toBe(REDACTED);
    expect(store.description).toBe('memory');
  });

  it('registers every TWINEDGE_SECRET_* value of an environment store at once, and keeps its class', () => {
    const r = new SecretRedactor();
    const env = { [secretEnvName('device/7/password')]: 'env-pass-7', OTHER: 'not-a-secret' };
    const store = registeringSecrets(new EnvSecretStore(env), r);
    expect(store).toBeInstanceOf(EnvSecretStore);
    expect((store as EnvSecretStore).has('device/7/password')).toBe(true);
    expect(r.redact('env-pass-7 not-a-secret')).toBe('[redacted] not-a-secret');
  });
});
