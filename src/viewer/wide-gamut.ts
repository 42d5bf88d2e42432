import OpenSeadragon from 'openseadragon';
import { type DrawerOption, replaceNamedDrawers } from './drawer-choice.js';
import type { OutputColourSpace } from '../colour/output-space.js';

/**
 * The colour space the viewer draws in. Display P3 only where all of these hold: the host asks for it
 * (`colourSpace: 'display-p3'`), the slide has a profile to convert from (a slide without one is sRGB: a wider canvas
 * would show nothing more), the screen says it shows P3 (`(color-gamut: p3)`), and the browser makes 2D canvases in
 * that space. Otherwise sRGB, which every screen shows.
 */
export function chooseOutputColourSpace(doc: Document, wanted: OutputColourSpace | undefined, hasProfile: boolean): OutputColourSpace {
  if (wanted !== 'display-p3' || !hasProfile || !doc.defaultView?.matchMedia('(color-gamut: p3)').matches) return 'srgb';
  const context = doc.createElement('canvas').getContext('2d', { colorSpace: 'display-p3' });
  return context?.getContextAttributes().colorSpace === 'display-p3' ? 'display-p3' : 'srgb';
}

/** OpenSeadragon's drawers, with the members this file reaches that its type definitions leave out. */
type DrawerClass = new (
  options: OpenSeadragon.DrawerConstructorParameters,
) => OpenSeadragon.DrawerBase & {
  _createDrawingElement(): HTMLCanvasElement;
  _setupCanvases?(): void;
  _recreateContext?(): unknown;
  _renderingCanvas?: HTMLCanvasElement;
};

/**
 * OpenSeadragon's WebGL or canvas drawer, drawing into a Display P3 canvas. Each drawer asks for its canvas's context
 * with a plain `getContext('2d')` right after making the canvas; asked first, with the colour space, the canvas keeps
 * that context and the drawer is handed it. The WebGL drawer renders in a WebGL canvas of its own and copies it into
 * that one: its drawing buffer and its texture uploads are set to Display P3 too, or the tiles' wider colours would be
 * clipped to sRGB on the way (again after OpenSeadragon recreates a lost context). Tiles converted to Display P3 in the
 * workers are then drawn without another conversion.
 */
function displayP3Drawer(kind: 'webgl' | 'canvas'): OpenSeadragon.DrawerConstructor {
  const Base = (kind === 'webgl' ? OpenSeadragon.WebGLDrawer : OpenSeadragon.CanvasDrawer) as unknown as DrawerClass;
  return class DisplayP3Drawer extends Base {
    override _createDrawingElement(): HTMLCanvasElement {
      const canvas = super._createDrawingElement();
      canvas.getContext('2d', { colorSpace: 'display-p3' });
      return canvas;
    }

    override _setupCanvases(): void {
      super._setupCanvases?.();
      renderInDisplayP3(this._renderingCanvas);
    }

    /** After a lost WebGL context, OpenSeadragon renders into a new canvas, whose context starts in sRGB again. */
    override _recreateContext(): unknown {
      const recreated = super._recreateContext?.();
      if (recreated) renderInDisplayP3(this._renderingCanvas);
      return recreated;
    }
  } as unknown as OpenSeadragon.DrawerConstructor;
}

/**
 * The WebGL drawer's rendering canvas draws and uploads textures in Display P3. A plain function, not a method: the
 * drawer's constructor calls `_setupCanvases` before a subclass's private members exist.
 */
function renderInDisplayP3(rendering: HTMLCanvasElement | undefined): void {
  const gl = rendering ? (rendering.getContext('webgl2') ?? rendering.getContext('webgl')) : null;
  if (!gl) return;
  gl.drawingBufferColorSpace = 'display-p3';
  gl.unpackColorSpace = 'display-p3';
}

/** The drawer candidates, each named drawer made to draw in Display P3 (a host's own drawer class is kept as given). */
export function displayP3Drawers(drawer: DrawerOption): DrawerOption {
  return replaceNamedDrawers(drawer, (name) => (name === 'webgl' || name === 'canvas' ? displayP3Drawer(name) : undefined));
}

/**
 * The tile data type a Display P3 viewer hands OpenSeadragon: an ImageBitmap whose pixels may lie outside sRGB.
 * OpenSeadragon turns an `imageBitmap` into its drawers' `context2d` through an sRGB canvas, which would clip them
 * before the Display P3 canvas ever sees them; this type's conversion keeps them in a Display P3 canvas.
 */
export const DISPLAY_P3_BITMAP = 'wsiDisplayP3Bitmap';

let learned = false;

/** Teaches OpenSeadragon's converter the Display P3 bitmap type (once per page: the converter is global). */
export function learnDisplayP3Bitmaps(): void {
  if (learned) return;
  learned = true;
  const converter = OpenSeadragon.converter as unknown as {
    learn(from: string, to: string, convert: (tile: unknown, data: ImageBitmap) => CanvasRenderingContext2D, costPower: number, costMultiplier: number): void;
    learnDestroy(type: string, destroy: (data: ImageBitmap) => void): void;
  };
  // Costed as OpenSeadragon costs its own imageBitmap → context2d, so its drawers take this path the same way.
  converter.learn(
    DISPLAY_P3_BITMAP,
    'context2d',
    (_tile, bitmap) => {
      const canvas = document.createElement('canvas');
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      const context = canvas.getContext('2d', { willReadFrequently: true, colorSpace: 'display-p3' })!;
      context.drawImage(bitmap, 0, 0);
      return context;
    },
    1,
    2,
  );
  converter.learnDestroy(DISPLAY_P3_BITMAP, (bitmap) => bitmap.close());
}
