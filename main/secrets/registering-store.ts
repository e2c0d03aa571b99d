import { secretRedactor, type SecretRedactor } from '../log/redactor.js';
import { EnvSecretStore } from './env-store.js';
import type { SecretStore } from './secret-store.js';

const REGISTERS = Symbol('registersSecrets');

/**
 * Wraps the secret store so every secret is registered with the log redactor the moment it is read or set
 * (the TwinEdge API key, device passwords): from then on it cannot reach a log line, whatever message carries
 * it. A value is registered before it is stored, so a failed set cannot leak it through its error either. In
 * environment mode every TWINEDGE_SECRET_* value is registered at once. A Proxy, so the store keeps its class
 * (`instanceof EnvSecretStore` still holds).
 */
export const registeringSecrets = (inner: SecretStore, redactor: SecretRedactor = secretRedactor): SecretStore => {
  if ((inner as { [REGISTERS]?: boolean })[REGISTERS]) return inner;
  if (inner instanceof EnvSecretStore) for (const v of inner.values()) redactor.register(v);
  const get = async (key: string): Promise<string | null> => {
    const value = await inner.get(key);
    redactor.register(value);
    return value;
  };
  const set = async (key: string, value: string): Promise<void> => {
    redactor.register(value);
    await inner.set(key, value);
  };
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === REGISTERS) return true;
      if (prop === 'get') return get;
      if (prop === 'set') return set;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
};
