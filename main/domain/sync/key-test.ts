import { type Tier, type Scope } from '../cloud/account.js';

export interface KeyTestResult {
  ok: boolean;
  /** Present when ok. */
  info: { name: string; tier: Tier; scopes: Scope[]; perMinute: number; perDay: number } | null;
  message: string;
}
