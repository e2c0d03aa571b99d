// What the app is and where it keeps its data, for the About and status views.

export interface AppInfo {
  name: string;
  version: string;
  shell: 'desktop' | 'browser';
  dataDir: string;
  storePath: string;
  timeZone: string;
  demo: {
    enabled: boolean;
    running: boolean;
    opcuaEndpoint: string | null;
    modbusEndpoint: string | null;
    /** Why the demo plant is not running although it is switched on (null when running or switched off). */
    error: string | null;
    /** Said while it runs on other ports than last time because those were taken (null otherwise). */
    notice: string | null;
  };
}
