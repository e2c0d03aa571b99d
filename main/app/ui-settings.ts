import { z } from 'zod';
import type { UiSettings } from '../domain/app/ui-settings.js';
import type { Store } from '../store/store.js';
import { settingKeys } from './demo-setup.js';

const defaults: UiSettings = {
  trendTagIds: [],
  trendWindowMinutes: 10,
  demoPlant: true,
  startAtLogin: false,
  startMinimised: false,
  closeToTray: false,
  introDismissed: false,
};

/** Where the desktop settings live in the settings table. */
const desktopKeys = {
  startAtLogin: 'desktop.startAtLogin',
  startMinimised: 'desktop.startMinimised',
  closeToTray: 'desktop.closeToTray',
} as const;

const stored = {
  trendTagIds: z.array(z.number().int().positive()),
  trendWindowMinutes: z.number().int().positive(),
  demoPlant: z.boolean(),
  startAtLogin: z.boolean(),
  startMinimised: z.boolean(),
  closeToTray: z.boolean(),
  introDismissed: z.boolean(),
};

/** Reads UI settings from the store, falling back to defaults for anything missing or malformed. */
export const readUiSettings = (store: Store | null): UiSettings => {
  if (!store) return { ...defaults };
  const read = <K extends keyof UiSettings>(key: K, storeKey: string): UiSettings[K] => {
    const parsed = stored[key].safeParse(store.settings.get(storeKey));
    return (parsed.success ? parsed.data : defaults[key]) as UiSettings[K];
  };
  return {
    trendTagIds: read('trendTagIds', settingKeys.trendTagIds),
    trendWindowMinutes: read('trendWindowMinutes', 'ui.trendWindowMinutes'),
    demoPlant: read('demoPlant', 'demo.enabled'),
    startAtLogin: read('startAtLogin', desktopKeys.startAtLogin),
    startMinimised: read('startMinimised', desktopKeys.startMinimised),
    closeToTray: read('closeToTray', desktopKeys.closeToTray),
    introDismissed: read('introDismissed', 'ui.introDismissed'),
  };
};

export const writeUiSettings = (store: Store, patch: Partial<UiSettings>): void => {
  if (patch.trendTagIds !== undefined) store.settings.set(settingKeys.trendTagIds, patch.trendTagIds);
  if (patch.trendWindowMinutes !== undefined) store.settings.set('ui.trendWindowMinutes', patch.trendWindowMinutes);
  if (patch.demoPlant !== undefined) store.settings.set('demo.enabled', patch.demoPlant);
  if (patch.introDismissed !== undefined) store.settings.set('ui.introDismissed', patch.introDismissed);
  for (const key of ['startAtLogin', 'startMinimised', 'closeToTray'] as const) {
    const value = patch[key];
    if (value !== undefined) store.settings.set(desktopKeys[key], value);
  }
};
