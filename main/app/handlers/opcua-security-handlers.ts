import { EndpointDiscoveryError, PkiError, normalizeThumbprint } from '../../collect/opcua/opcua-errors.js';
import type { OpcUaPki } from '../../collect/opcua/pki.js';
import type { Handlers } from '../../contract/router.js';
import type { EventHub } from '../event-hub.js';
import type { Logger } from '../../log/logger.js';
import { AppError, errorMessage } from '../../domain/errors/app-error.js';

/**
 * opcua.endpoints / opcua.certificates / .trust / .reject: endpoint discovery and the app's OPC UA trust
 * lists. They use the PKI every collector of the app shares (one certificate manager per folder), so a
 * trust given here reaches a running collector's next connect attempt without a restart.
 */

export interface OpcUaSecurityDeps {
  /** <dataDir>/pki */
  pkiDir: string;
  events: EventHub;
  log?: Logger;
}

export type OpcUaSecurityHandlers = Pick<
  Handlers,
  'opcua.endpoints' | 'opcua.certificates' | 'opcua.certificates.trust' | 'opcua.certificates.reject'
>;

// Loaded on the first OPC UA call, not at start: they load node-opcua (about 2 s).
const pkiModule = () => import('../../collect/opcua/pki.js');
const endpointsModule = () => import('../../collect/opcua/endpoints.js');

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

const toAppError = (err: unknown): AppError => {
  if (err instanceof AppError) return err;
  if (err instanceof EndpointDiscoveryError) return new AppError('device_error', capital(err.message));
  if (err instanceof PkiError) {
    return new AppError(err.code === 'not_found' ? 'not_found' : 'unavailable', capital(err.message));
  }
  return new AppError('unavailable', `The OPC UA certificate store cannot be used: ${errorMessage(err)}`);
};

export const opcuaSecurityHandlers = (deps: OpcUaSecurityDeps): OpcUaSecurityHandlers => {
  /**
   * A handle per call: while collectors run, this is their manager (shared); otherwise the folder is
   * opened for the call and closed after it, so the app keeps no watchers on it for nothing.
   */
  const withPki = async <T>(op: (pki: OpcUaPki) => Promise<T>): Promise<T> => {
    const handle = (await pkiModule()).acquirePki(deps.pkiDir);
    try {
      return await op(handle.pki);
    } catch (err) {
      throw toAppError(err);
    } finally {
      await handle.release();
    }
  };
  const changed = (): void => deps.events.emit('devices.changed', { at: Date.now() });

  return {
    'opcua.endpoints': ({ endpointUrl }) =>
      withPki(async (pki) => (await endpointsModule()).discoverEndpoints(endpointUrl, pki)),
    'opcua.certificates': () => withPki((pki) => pki.list()),
    'opcua.certificates.trust': ({ thumbprint }) =>
      withPki(async (pki) => {
        const result = await pki.trust(thumbprint);
        const c = result.trusted.find((t) => t.thumbprint === normalizeThumbprint(thumbprint));
        deps.log?.info(`OPC UA certificate trusted: ${c?.subject ?? ''} (thumbprint ${c?.thumbprint ?? thumbprint}).`);
        changed();
        return result;
      }),
    'opcua.certificates.reject': ({ thumbprint }) =>
      withPki(async (pki) => {
        const result = await pki.reject(thumbprint);
        const c = result.rejected.find((t) => t.thumbprint === normalizeThumbprint(thumbprint));
        deps.log?.info(
          `OPC UA certificate no longer trusted: ${c?.subject ?? ''} (thumbprint ${c?.thumbprint ?? thumbprint}).`,
        );
        changed();
        return result;
      }),
  };
};
