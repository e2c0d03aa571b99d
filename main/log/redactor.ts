/** What a secret is replaced with in every log line. */
export const REDACTED = '[redacted]';

/** Secrets shorter than this are not replaced (a one-letter password would blank every such letter out). */
export const MIN_SECRET_LENGTH = 3;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The forms a secret can take in text: as typed, URL-encoded (query strings, form bodies) and base64 (Basic
 * auth headers, tokens), standard and URL-safe, with and without padding.
 */
export const secretForms = (secret: string): string[] => {
  const b64 = Buffer.from(secret, 'utf8').toString('base64');
  const b64url = Buffer.from(secret, 'utf8').toString('base64url');
  const forms = [secret, encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, '+'), b64, b64url];
  const unpadded = b64.replace(/=+$/, '');
  forms.push(unpadded);
  return [...new Set(forms.filter((f) => f.length >= MIN_SECRET_LENGTH))];
};

// "password": "x", password=x, apiKey: 'x', api_key=x, X-API-Key: x, token=x, secret: x (JSON-ish text, query
// strings, headers): the value goes, the name stays so the line still says what it was.
const namedValue =
  /((?:["']?)\b(?:[a-z_-]*pass(?:word|wd)|pwd|passphrase|secret|client[_-]?secret|token|access[_-]?token|api[_-]?key|x-api-key|authorization)["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&})\]"']+)/gi;
// Authorization: Bearer <token> / Basic <base64> (a Basic value has a digit, + / or =, so "Basic settings" stays)
const bearer = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}|\b(Basic)\s+(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{8,}={0,2}/g;
// user:password@host in URLs
const urlCredentials = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi;

/**
 * Process-wide: every secret the app reads or sets (the TwinEdge API key, device passwords) is registered here
 * the moment it is seen, and every log line (file and console, crash output included) is passed through
 * `redact` before it is written. Secrets stay registered until the process ends: a replaced key must not show up
 * in a late error message either.
 */
export class SecretRedactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | null = null;

  /** Registers a secret (and its encoded forms); null, empty and too-short values are ignored. */
  register(secret: string | null | undefined): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    const forms = [...this.secrets].flatMap(secretForms);
    // Longest first, so a secret that contains another one goes as a whole.
    forms.sort((a, b) => b.length - a.length);
    this.pattern = new RegExp([...new Set(forms)].map(escape).join('|'), 'g');
  }

  /** How many secrets are registered (never which). */
  get size(): number {
    return this.secrets.size;
  }

  /** Text with every registered secret and every password-like `name=value` replaced by [redacted]. */
  redact(text: string): string {
    let out = this.pattern ? text.replace(this.pattern, REDACTED) : text;
    out = out.replace(
      bearer,
      (_m, b: string | undefined, basic: string | undefined) => `${b ?? basic ?? ''} ${REDACTED}`,
    );
    out = out.replace(urlCredentials, (_m, head: string, _pw: string, at: string) => `${head}${REDACTED}${at}`);
    out = out.replace(namedValue, (m, head: string, value: string) => {
      if (value.includes(REDACTED) || /^["']?(?:true|false|null|undefined|bearer|basic)["']?$/i.test(value)) return m;
      const quote = value.startsWith('"') ? '"' : value.startsWith("'") ? "'" : '';
      return `${head}${quote}${REDACTED}${quote}`;
    });
    return out;
  }

  /** For tests: forgets every secret. */
  clear(): void {
    this.secrets.clear();
    this.pattern = null;
  }
}

/** The one redactor of the process. */
export const secretRedactor = new SecretRedactor();

const thrownText = (e: unknown): string => {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  if (typeof e === 'string') return e;
  if (typeof e === 'object' || typeof e === 'function') {
    try {
      return JSON.stringify(e) ?? typeof e;
    } catch {
      return `(an unprintable ${typeof e})`;
    }
  }
  if (typeof e === 'number' || typeof e === 'boolean' || typeof e === 'bigint') return String(e);
  return typeof e === 'symbol' ? e.toString() : 'undefined';
};

/** An error as text for a log line (stack when there is one, causes too), redacted. */
export const errorForLog = (err: unknown, redactor: SecretRedactor = secretRedactor): string => {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e !== undefined && e !== null; depth++) {
    parts.push(thrownText(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return redactor.redact(parts.join('\nCaused by: '));
};
