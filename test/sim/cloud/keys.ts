import { randomBytes } from 'node:crypto';
import { tierLimits, type KeyInfo } from '../../../main/sync/api/model.js';
import { type Scope, type Tier } from '../../../main/domain/cloud/account.js';
import type { Db } from './db.js';

export interface ApiKey {
  key: string;
  id: string;
  name: string;
  tier: Tier;
  scopes: Scope[];
}

/** API keys, kept in the simulator's database so a restart on the same file still knows them. */
export class KeyStore {
  constructor(private readonly db: Db) {}

  add(
    tier: Tier,
    scopes: Scope[],
    name = `${tier} key`,
    key = `te_${tier}_${randomBytes(16).toString('hex')}`,
  ): string {
    const id = `key_${randomBytes(6).toString('hex')}`;
    this.db
      .prepare(
        `INSERT INTO api_keys (key, id, name, tier, scopes) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET name = excluded.name, tier = excluded.tier, scopes = excluded.scopes`,
      )
      .run(key, id, name, tier, JSON.stringify(scopes));
    return key;
  }

  find(key: string): ApiKey | undefined {
    const row = this.db.prepare('SELECT key, id, name, tier, scopes FROM api_keys WHERE key = ?').get(key) as
      { key: string; id: string; name: string; tier: Tier; scopes: string } | undefined;
    return row ? { ...row, scopes: JSON.parse(row.scopes) as Scope[] } : undefined;
  }

  count(): number {
    return this.db.prepare('SELECT COUNT(*) FROM api_keys').pluck().get() as number;
  }
}

/** `admin` satisfies every scope; `null` = any valid key. */
export const hasScope = (key: ApiKey, needed: Scope | null): boolean =>
  needed === null || key.scopes.includes('admin') || key.scopes.includes(needed);

/** Bearer token from the Authorization header, or undefined. */
export const bearerToken = (header: string | undefined): string | undefined => {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
};

export const keyInfo = (key: ApiKey): KeyInfo => ({
  id: key.id,
  name: key.name,
  tier: key.tier,
  scopes: key.scopes,
  limits: { per_minute: tierLimits[key.tier].perMinute, per_day: tierLimits[key.tier].perDay },
  expires_at: null,
  last4: key.key.slice(-4),
});
