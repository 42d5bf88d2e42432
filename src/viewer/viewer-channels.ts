import type { SlideTileSource } from './slide-tile-source.js';
import { autoRanges, type ChannelSettings } from './channel-composite.js';

/** What a host may change of a channel; the viewer redraws from the planes it holds, with no request. */
export type ChannelChange = Partial<Pick<ChannelSettings, 'colour' | 'min' | 'max' | 'visible'>>;

/** `viewer.channels`, for slides whose channels are planes (fluorescence). */
export interface ChannelControls {
  /** The channels as drawn now (copies). */
  list(): ChannelSettings[];
  set(index: number, change: ChannelChange): void;
  /** Sets every channel's range from the histogram of a coarse level (done once at open; see histogramLevel). */
  autoContrast(signal?: AbortSignal): Promise<void>;
  /** Called after every change (the panel listens, to show it). */
  onChange(listener: () => void): void;
}

/** Pixels a histogram needs to say where a channel's values lie; the coarsest levels (3×1 on the HuBMAP file) have far fewer. */

function clampToBits(value: number, bits: number): number {
  return Math.min(2 ** bits - 1, Math.max(0, Math.round(value)));
}

export function channelControls(source: SlideTileSource, redraw: () => void): ChannelControls {
  const channels = source.channels!;
  const listeners: Array<() => void> = [];
  const changed = () => {
    source.channelVersion++;
    redraw();
    for (const listener of listeners) listener();
  };
  return {
    list: () => channels.map((c) => ({ ...c, colour: [...c.colour] as [number, number, number] })),
    set(index, change) {
      const channel = channels[index];
      if (!channel) throw new RangeError(`Channel ${index} does not exist: this slide has ${channels.length}.`);
      if (change.colour) channel.colour = change.colour.map((v) => Math.min(255, Math.max(0, Math.round(v)))) as [number, number, number];
      if (change.min !== undefined) channel.min = clampToBits(change.min, channel.bitsPerSample);
      if (change.max !== undefined) channel.max = clampToBits(change.max, channel.bitsPerSample);
      if (change.visible !== undefined) channel.visible = change.visible;
      changed();
    },
    async autoContrast(signal) {
      const ranges = await autoRanges(source.slide, (level, x, y) => source.planes!.get(level, x, y, signal));
      for (const [c, channel] of channels.entries()) Object.assign(channel, ranges[c]);
      changed();
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}

const hex = (colour: readonly number[]) => `#${colour.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/** The panel's channel list: per channel a visibility switch, its colour, and its range as two sliders, kept in step with changes made through the API. */
export function channelPanel(doc: Document, controls: ChannelControls): HTMLElement {
  const box = doc.createElement('div');
  box.className = 'wsi-channels';
  const updates: Array<(channel: ChannelSettings) => void> = [];
  for (const [index, channel] of controls.list().entries()) {
    const row = doc.createElement('fieldset');
    row.dataset.channel = String(index);
    const legend = doc.createElement('legend');
    const visible = Object.assign(doc.createElement('input'), { type: 'checkbox', title: `Show ${channel.name}` });
    visible.dataset.action = 'channel-visible';
    visible.addEventListener('change', () => controls.set(index, { visible: visible.checked }));
    const colour = Object.assign(doc.createElement('input'), { type: 'color', title: `Colour of ${channel.name}` });
    colour.dataset.action = 'channel-colour';
    colour.addEventListener('change', () => {
      const v = colour.value;
      controls.set(index, { colour: [1, 3, 5].map((at) => Number.parseInt(v.slice(at, at + 2), 16)) as [number, number, number] });
    });
    legend.append(visible, colour, ` ${channel.name}`);
    const slider = (which: 'min' | 'max') => {
      const input = Object.assign(doc.createElement('input'), { type: 'range', min: '0', max: String(2 ** channel.bitsPerSample - 1) });
      input.dataset.action = `channel-${which}`;
      input.setAttribute('aria-label', `${channel.name} ${which === 'min' ? 'black point' : 'white point'}`);
      input.addEventListener('change', () => controls.set(index, { [which]: Number(input.value) }));
      return input;
    };
    const [min, max] = [slider('min'), slider('max')];
    const label = doc.createElement('span');
    const range = doc.createElement('div');
    range.className = 'wsi-channel-range';
    range.append(min, max, label);
    row.append(legend, range);
    box.append(row);
    updates.push((c) => {
      visible.checked = c.visible;
      colour.value = hex(c.colour);
      min.value = String(c.min);
      max.value = String(c.max);
      label.textContent = `${c.min}–${c.max}`;
    });
  }
  const refresh = () => {
    for (const [i, c] of controls.list().entries()) updates[i]!(c);
  };
  refresh();
  controls.onChange(refresh);
  return box;
}
