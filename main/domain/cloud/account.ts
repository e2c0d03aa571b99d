// What a TwinEdge API key is: its account tier and the scopes it was granted.

export const tiers = ['trial', 'starter', 'professional', 'enterprise'] as const;

export type Tier = (typeof tiers)[number];

export const scopes = [
  'read:assets',
  'write:assets',
  'read:telemetry',
  'write:telemetry',
  'read:alerts',
  'write:alerts',
  'admin',
] as const;

export type Scope = (typeof scopes)[number];
