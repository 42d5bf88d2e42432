import type { OutputColourSpace } from '../colour/output-space.js';
import type { SlideError } from '../errors.js';
import type { Slide } from '../slide/types.js';
import type { DecoderPool } from '../workers/pool.js';

export type ColourMode = 'icc' | 'none';

/** What the viewer knows of the slide's colour: whether it has a usable profile, its name, and the mode shown. */
export interface ColourState {
  mode: ColourMode;
  /** The canvas's colour space, which a profile's colours are converted to (see `colourSpace`). */
  output: OutputColourSpace;
  /** The slide carries an ICC profile (its size in bytes), applied or not. */
  profileBytes?: number;
  /** The profile's description, when the slide has a profile LittleCMS can use. */
  profile?: string;
  /** Why the slide's profile is not applied (it could not be read or used): shown uncorrected. */
  problem?: SlideError;
}

/**
 * Reads the slide's ICC profile (only now, and only when colour management is wanted) and hands it to the decode
 * workers. A profile that cannot be read or used leaves the slide uncorrected with the reason, never a blank tile.
 */
export async function prepareColour(
  slide: Slide,
  pool: DecoderPool,
  wanted: ColourMode,
  output: OutputColourSpace,
): Promise<{ state: Omit<ColourState, 'mode' | 'output'>; profileId?: number }> {
  if (!slide.colourProfile) return { state: {} };
  const profileBytes = slide.colourProfile.size;
  if (wanted === 'none') return { state: { profileBytes } };
  pool.warmColour();
  try {
    const { id, description } = await pool.registerProfile(await slide.colourProfile.read(), output);
    return { state: { profileBytes, profile: description }, profileId: id };
  } catch (error) {
    return { state: { profileBytes, problem: error as SlideError } };
  }
}

/** The panel's colour line: the profile's name and a switch between managed and stored colours (or why there is none). */
export function colourControl(doc: Document, state: () => ColourState, set: (mode: ColourMode) => void): HTMLElement & { refresh(): void } {
  const line = doc.createElement('div');
  line.className = 'wsi-colour';
  const render = () => {
    const { profile, profileBytes, problem, mode, output } = state();
    if (problem) line.textContent = `Colour profile not applied (${problem.code}): ${problem.message}`;
    else if (profileBytes === undefined) line.textContent = 'No colour profile: stored colours, taken as sRGB';
    else {
      const label = doc.createElement('label');
      const toggle = Object.assign(doc.createElement('input'), { type: 'checkbox', checked: mode === 'icc' });
      toggle.dataset.action = 'colour';
      toggle.addEventListener('change', () => set(toggle.checked ? 'icc' : 'none'));
      const space = output === 'display-p3' ? 'Display P3' : 'sRGB';
      label.append(toggle, ` Colour management: ICC profile ${profile ? `"${profile}"` : `(${profileBytes} bytes, read when turned on)`} → ${space}`);
      line.replaceChildren(label);
    }
  };
  render();
  return Object.assign(line, { refresh: render });
}
