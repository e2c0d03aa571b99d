// The demo plant's lifecycle (wanted?, start and set up, switch off, stop), kept out of the composition root.
import { join } from 'node:path';
import { installDemoRules } from '../alerts/demo-rules.js';
import type { AlarmService } from '../alerts/alarm-service.js';
import type { ConfigFile } from './config/config-file.js';
import type { AppInfo } from '../domain/app/app-info.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import { portsOf, readDemoPorts, recordDemoPorts } from './demo-ports.js';
import { setUpDemoDevices, type DemoEndpoints, type DemoPlantPort, type DemoRunOptions } from './demo-setup.js';
import { errorMessage } from '../domain/errors/app-error.js';
import { readUiSettings } from './ui-settings.js';

export interface DemoLifecycleDeps {
  plant: DemoPlantPort;
  dataDir: string;
  /** AppOptions.demo: beats the config file and the stored setting; its pace and ports. */
  options: (DemoRunOptions & { enabled?: boolean }) | undefined;
  /** The config file applied at this start (read at each call: a file that failed to apply is dropped). */
  configFile: () => ConfigFile | undefined;
  store: Store | null;
  alarms: AlarmService | null;
  log: Logger;
  /** Lets store damage met while setting up the demo devices stop writing (StoreGuard.observe). */
  observe: (err: unknown, doing: string) => void;
}

/** Runs the demo plant when wanted and says where it listens, or why it does not. */
export class DemoLifecycle {
  private running: DemoEndpoints | null = null;
  /** Why the demo plant did not start (shown in Devices and Trends); null once it runs or is switched off. */
  private error: string | null = null;
  /** Said while the demo plant runs on other ports than last time (those were taken). */
  private notice: string | null = null;

  constructor(private readonly d: DemoLifecycleDeps) {}

  /** Where the demo plant listens; null while it does not run. */
  get endpoints(): DemoEndpoints | null {
    return this.running;
  }

  wanted(): boolean {
    return this.d.options?.enabled ?? this.d.configFile()?.demoPlant ?? readUiSettings(this.d.store).demoPlant;
  }

  /** Starts the plant and points its devices at it; a failure is logged and shown, never thrown. */
  async start(): Promise<void> {
    const { store, alarms, log } = this.d;
    const { enabled: _enabled, ...demoOptions } = this.d.options ?? {};
    const last = readDemoPorts(store);
    let endpoints: DemoEndpoints;
    try {
      endpoints = await this.d.plant.start({
        dir: join(this.d.dataDir, 'demo'),
        ...demoOptions,
        // The ports of last time first, so a device pointed at the demo plant finds it again after a restart.
        ...(last ? { opcuaPreferredPort: last.opcua, modbusPreferredPort: last.modbus } : {}),
      });
    } catch (err) {
      this.failed(err, 'could not start');
      return;
    }
    try {
      if (store) {
        this.notice = recordDemoPorts(store, portsOf(endpoints));
        if (this.notice) log.warn(this.notice);
        setUpDemoDevices(store, this.d.plant, endpoints);
        if (alarms) installDemoRules(store, alarms);
      }
    } catch (err) {
      // Not left running half set up: its servers would answer devices that are not pointed at them.
      await this.d.plant.stop().catch((e: unknown) => log.warn(`Demo plant stop: ${errorMessage(e)}`));
      this.failed(err, 'started, but its devices could not be set up');
      return;
    }
    this.running = endpoints;
    this.error = null;
    log.info(
      `Demo plant running: OPC UA ${endpoints.opcuaEndpoint}, Modbus TCP ${endpoints.modbusHost}:${endpoints.modbusPort}`,
    );
  }

  /** Switched off in Settings: a failing stop goes to the caller; afterwards nothing is said about the plant. */
  async switchOff(): Promise<void> {
    await this.d.plant.stop();
    this.running = null;
    this.error = null;
    this.notice = null;
  }

  /** At app stop: a failing stop is only logged. */
  async stop(): Promise<void> {
    await this.d.plant.stop().catch((err: unknown) => this.d.log.warn(`Demo plant stop: ${errorMessage(err)}`));
  }

  info(): AppInfo['demo'] {
    const running = this.running;
    return {
      enabled: this.wanted(),
      running: running !== null,
      opcuaEndpoint: running?.opcuaEndpoint ?? null,
      modbusEndpoint: running ? `${running.modbusHost}:${running.modbusPort}` : null,
      error: this.wanted() && running === null ? this.error : null,
      notice: running === null ? null : this.notice,
    };
  }

  private failed(err: unknown, what: string): void {
    this.d.observe(err, 'setting up the demo plant');
    this.error = `The demo plant ${what}: ${errorMessage(err)}`;
    this.d.log.error(this.error);
    this.running = null;
    this.notice = null;
  }
}
