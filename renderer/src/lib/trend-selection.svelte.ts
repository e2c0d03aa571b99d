/** The trend view's tag selection: which tags, their colours, names, hidden lines and axis limits, saved to settings. */
import type { TagInfo } from '../../../main/domain/device/device-view';
import type { AxisSetting } from '../../../main/domain/history/trend-view';
import { assignColorSlots, colorFor } from './palette';
import type { AppState } from './state.svelte';
import { chartNames } from './tag-names';
import { MAX_TAGS, SETTINGS_TAGS, stringTagIdsOf, textTagNote } from './trend-tags';

export class TrendSelection {
  selected = $state<number[]>([]);
  hidden = $state<number[]>([]);
  axisSettings = $state<AxisSetting[]>([]);

  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  // A tag keeps its colour for the life of the view: slots are remembered for removed tags too.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping only, replaced whole, never shown
  private colorSlots = new Map<number, number>();

  readonly colors: Map<number, string>;
  /** Modbus string tags have no number to draw. */
  readonly stringTagIds: Set<number>;
  readonly selectedTags: TagInfo[];
  /** Legend, readout and PNG names: "device · name" where two selected tags share a name. */
  readonly names: Map<number, string>;
  readonly chartTags: TagInfo[];
  readonly textNote: string;

  constructor(private readonly app: AppState) {
    this.colors = $derived.by(() => {
      this.colorSlots = assignColorSlots(this.selected, this.colorSlots);
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a new map each time, never changed in place
      return new Map(this.selected.map((id) => [id, colorFor(this.colorSlots.get(id) ?? 0)]));
    });
    this.stringTagIds = $derived(stringTagIdsOf(this.app.devices));
    this.selectedTags = $derived(this.selected.map((id) => this.app.tagsById.get(id)).filter((t) => t !== undefined));
    this.names = $derived(chartNames(this.selectedTags, this.app.deviceNames));
    this.chartTags = $derived(this.selectedTags.filter((t) => !this.isText(t.id)));
    this.textNote = $derived(
      textTagNote(this.selectedTags.filter((t) => this.isText(t.id)).map((t) => this.nameOf(t.id, t.name))),
    );
  }

  nameOf = (id: number, fallback: string): string => this.names.get(id) ?? fallback;

  // A text tag (a string register, or any tag whose samples carry text) has no number to draw: it is shown in the
  // current values table only, and takes no line, legend entry or axis on the chart.
  isText = (id: number): boolean => this.stringTagIds.has(id) || this.app.latest.get(id)?.text !== undefined;

  /** The tags last charted, from settings, unless tags were picked before they came. */
  restore(ids: readonly number[]): void {
    if (this.selected.length === 0) this.selected = [...ids];
  }

  persist(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    const ids = this.selected.slice(0, SETTINGS_TAGS);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      void this.app.updateSettings({ trendTagIds: ids });
    }, 250);
  }

  toggle = (tagId: number, on: boolean): void => {
    if (on && !this.selected.includes(tagId) && this.selected.length < MAX_TAGS) {
      this.selected = [...this.selected, tagId];
      void this.app.fetchLatest([tagId]);
    } else if (!on) this.selected = this.selected.filter((id) => id !== tagId);
    this.persist();
  };

  clear = (): void => {
    this.selected = [];
    this.persist();
  };

  setAxis = (unit: string, min: number | null, max: number | null): void => {
    this.axisSettings = [...this.axisSettings.filter((a) => a.unit !== unit), { unit, min, max }];
  };

  setHidden = (tagId: number, show: boolean): void => {
    this.hidden = show ? this.hidden.filter((id) => id !== tagId) : [...this.hidden, tagId];
  };

  /** A saved view's tags, hidden lines and axis limits. */
  open(tagIds: readonly number[], hiddenTagIds: readonly number[], axes: readonly AxisSetting[]): void {
    this.selected = tagIds.slice(0, MAX_TAGS);
    this.hidden = [...hiddenTagIds];
    this.axisSettings = axes.map((a) => ({ ...a }));
  }

  /** A pending save is written at once when the view goes. */
  dispose(): void {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      void this.app.updateSettings({ trendTagIds: this.selected.slice(0, SETTINGS_TAGS) });
    }
  }
}
