// The user's interface settings, kept in the store.

export interface UiSettings {
  trendTagIds: number[];
  trendWindowMinutes: number;
  demoPlant: boolean;
  /** Desktop app: start when the user logs in (Windows and macOS; Linux desktops use their autostart). */
  startAtLogin: boolean;
  /** Desktop app: start with the window hidden (tray icon only). */
  startMinimised: boolean;
  /** Desktop app: closing the window hides it to the tray; collection keeps running until Quit. */
  closeToTray: boolean;
  /** The first screen's introduction (the demo plant, how to add a PLC) was dismissed. */
  introDismissed: boolean;
}
