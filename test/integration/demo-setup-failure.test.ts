import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app.js';
import type { DemoPlantPort } from '../../main/app/demo-setup.js';
import type { AppInfo } from '../../main/domain/app/app-info.js';
import type { WireResult } from '../../main/contract/wire.js';
import { createLogger } from '../../main/log/logger.js';
import { EnvSecretStore } from '../../main/secrets/env-store.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * A demo plant whose servers started but whose devices could not be set up is stopped, not left answering on its
 * ports, and says which step failed and why. The plant is a stand-in whose device list throws, as a store that cannot
 * be written would while the devices are saved.
 */
describe('demo plant that starts but cannot be set up', () => {
  const dir = tempDir('twinedge-demo-setup-');
  let app: App | undefined;
  afterAll(async () => {
    await app?.stop();
    dir.remove();
  });

  it('is stopped and reports the reason as a set-up failure', async () => {
    let stops = 0;
    const plant: DemoPlantPort = {
      start: () =>
        Promise.resolve({ opcuaEndpoint: 'opc.tcp://127.0.0.1:48400', modbusHost: '127.0.0.1', modbusPort: 15020 }),
      stop: () => {
        stops++;
        return Promise.resolve();
      },
      deviceConfigs: () => {
        throw new Error('SQLITE_IOERR: disk I/O error');
      },
    };
    app = await createApp({
      dataDir: dir.path,
      shell: 'browser',
      version: 'test',
      logger: createLogger({ console: false }),
      secretStore: new EnvSecretStore({}),
      demo: { enabled: true },
      demoPlantFactory: () => plant,
    });
    const r = (await app.router.invoke('app.info', {})) as WireResult<AppInfo>;
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.demo).toMatchObject({ enabled: true, running: false, opcuaEndpoint: null, notice: null });
    expect(r.value.demo.error).toBe(
      'The demo plant started, but its devices could not be set up: SQLITE_IOERR: disk I/O error',
    );
    expect(stops).toBe(1);
  });
});
