import type OpenSeadragon from 'openseadragon';
import type { AnnotationSet } from '../../annotations/annotation-set.js';
import { measure, translated, withVertex } from '../../annotations/geometry.js';
import type { AnnotationKind, AnnotationStyle, Geometry, Measurement, Point } from '../../annotations/types.js';
import type { AnnotationOverlay } from './overlay.js';

/** The drawing tools: each shape kind, freehand (a polygon), the ruler (measures, saves nothing) and select/edit. */
export type AnnotationTool = AnnotationKind | 'freehand' | 'ruler' | 'select';

export const ANNOTATION_TOOLS: readonly AnnotationTool[] = [
  'select',
  'point',
  'rectangle',
  'ellipse',
  'circle',
  'polygon',
  'freehand',
  'line',
  'polyline',
  'ruler',
];

/** Tools drawn by dragging: while one is active a one-finger or mouse drag draws, and Space + drag (or two fingers) pans. */
const DRAG_TOOLS = new Set<AnnotationTool>(['rectangle', 'ellipse', 'circle', 'line', 'freehand', 'ruler']);
/** Screen pixels a click may miss a shape or handle by. */
const HIT_PX = 6;

export interface ToolHost {
  style(): AnnotationStyle;
  label(): string | null;
  /** The live measurement of what is being drawn, or of the selection; undefined to clear. */
  measured(m: Measurement | undefined): void;
  selectionChanged(id: string | undefined): void;
}

interface Gesture {
  start: Point;
  points: Point[];
  /** Select tool: editing the selection by one of its handles, or moving it whole. */
  edit?: { id: string; handle?: number; original: Geometry };
}

/**
 * Turns OpenSeadragon's pointer events (mouse, touch and pen alike) into shapes. Only a gesture that draws or edits
 * takes the event from OpenSeadragon; clicks on click tools and drags elsewhere still pan and zoom.
 */
export class ToolController {
  tool: AnnotationTool | null = null;
  readonly #osd: OpenSeadragon.Viewer;
  readonly #set: AnnotationSet;
  readonly #overlay: AnnotationOverlay;
  readonly #host: ToolHost;
  readonly #mpp: { x: number; y: number } | undefined;
  #gesture: Gesture | undefined;
  /** Polygon and polyline vertices placed so far. */
  #vertices: Point[] = [];
  #spaceHeld = false;
  /** The last gesture drew or edited (its drag must not end in a flick). */
  #drew = false;
  readonly #detach: Array<() => void> = [];

  constructor(osd: OpenSeadragon.Viewer, set: AnnotationSet, overlay: AnnotationOverlay, host: ToolHost, mpp?: { x: number; y: number }) {
    this.#osd = osd;
    this.#set = set;
    this.#overlay = overlay;
    this.#host = host;
    this.#mpp = mpp;
    const on = <E extends keyof OpenSeadragon.ViewerEventMap>(name: E, handler: (e: OpenSeadragon.ViewerEventMap[E]) => void) => {
      osd.addHandler(name, handler as never);
      this.#detach.push(() => osd.removeHandler(name, handler as never));
    };
    on('canvas-press', (e) => this.#press(e as OpenSeadragon.CanvasPressEvent));
    on('canvas-drag', (e) => this.#drag(e as OpenSeadragon.CanvasDragEvent));
    // The end of a drag that drew: no flick (touch drags end in one, and OpenSeadragon may report the release first).
    on('canvas-drag-end', (e) => {
      if (this.#gesture || this.#drew) (e as unknown as { preventDefaultAction: boolean }).preventDefaultAction = true;
    });
    on('canvas-release', () => this.#release());
    on('canvas-click', (e) => this.#click(e as OpenSeadragon.CanvasClickEvent));
    on('canvas-double-click', (e) => this.#doubleClick(e as unknown as { preventDefaultAction: boolean }));
    const root = osd.element;
    const keydown = (e: KeyboardEvent) => void this.#key(e);
    const keyup = (e: KeyboardEvent) => {
      if (e.key === ' ') this.#spaceHeld = false;
    };
    root.addEventListener('keydown', keydown);
    root.addEventListener('keyup', keyup);
    this.#detach.push(
      () => root.removeEventListener('keydown', keydown),
      () => root.removeEventListener('keyup', keyup),
    );
  }

  setTool(tool: AnnotationTool | null): void {
    this.cancel();
    this.tool = tool;
    if (tool !== 'select') this.select(undefined);
    if (tool !== 'ruler') this.#overlay.ruler = undefined;
    this.#overlay.redraw();
  }

  select(id: string | undefined): void {
    if (this.#overlay.selected === id) return;
    this.#overlay.selected = id;
    const a = id ? this.#set.get(id) : undefined;
    this.#host.measured(a ? measure(a.geometry, this.#mpp) : undefined);
    this.#host.selectionChanged(id);
    this.#overlay.redraw();
  }

  /** Drops the shape being drawn. */
  cancel(): void {
    this.#gesture = undefined;
    this.#vertices = [];
    this.#overlay.draft = undefined;
    this.#overlay.redraw();
  }

  destroy(): void {
    for (const d of this.#detach.splice(0)) d();
  }

  #image(e: { position: OpenSeadragon.Point }): Point {
    const p = this.#osd.world.getItemAt(0).viewerElementToImageCoordinates(e.position);
    return { x: p.x, y: p.y };
  }

  /** Level-0 pixels per screen pixel now. */
  #perScreenPixel(): number {
    return 1 / (this.#overlay.transform()?.scale ?? 1);
  }

  #press(e: OpenSeadragon.CanvasPressEvent): void {
    this.#drew = false;
    if (!this.tool || this.#spaceHeld) return;
    const start = this.#image(e);
    if (this.tool === 'select') {
      const selected = this.#overlay.selected ? this.#set.get(this.#overlay.selected) : undefined;
      if (!selected) return;
      const handle = this.#overlay.handleAt(e.position);
      const onShape = this.#set.hit(start, HIT_PX * this.#perScreenPixel())?.id === selected.id;
      if (handle !== undefined || onShape)
        this.#gesture = { start, points: [start], edit: { id: selected.id, ...(handle !== undefined ? { handle } : {}), original: selected.geometry } };
      return;
    }
    if (DRAG_TOOLS.has(this.tool)) {
      this.#gesture = { start, points: [start] };
      if (this.tool === 'ruler') this.#overlay.ruler = undefined;
    }
  }

  #drag(e: OpenSeadragon.CanvasDragEvent): void {
    const g = this.#gesture;
    if (!g) return;
    e.preventDefaultAction = true;
    const p = this.#image(e);
    if (this.tool === 'freehand') {
      const last = g.points.at(-1)!;
      if (Math.hypot(p.x - last.x, p.y - last.y) >= 2 * this.#perScreenPixel()) g.points.push(p);
    } else g.points = [g.start, p];
    const geometry = this.#dragGeometry(g, p);
    if (!geometry) return;
    if (this.tool === 'ruler') this.#overlay.ruler = geometry;
    else this.#overlay.draft = { geometry, style: this.#host.style() };
    this.#host.measured(measure(geometry, this.#mpp));
    this.#overlay.redraw();
  }

  /** The shape a drag from `g.start` to `p` makes with the current tool. */
  #dragGeometry(g: Gesture, p: Point): Geometry | undefined {
    const s = g.start;
    if (g.edit) {
      if (g.edit.handle !== undefined) return withVertex(g.edit.original, g.edit.handle, p);
      return translated(g.edit.original, p.x - s.x, p.y - s.y);
    }
    const box = { x: Math.min(s.x, p.x), y: Math.min(s.y, p.y), width: Math.abs(p.x - s.x), height: Math.abs(p.y - s.y) };
    switch (this.tool) {
      case 'rectangle':
        return box.width > 0 && box.height > 0 ? { kind: 'rectangle', ...box } : undefined;
      case 'ellipse':
        return box.width > 0 && box.height > 0
          ? { kind: 'ellipse', center: { x: box.x + box.width / 2, y: box.y + box.height / 2 }, radius_x: box.width / 2, radius_y: box.height / 2 }
          : undefined;
      case 'circle': {
        const radius = Math.hypot(p.x - s.x, p.y - s.y);
        return radius > 0 ? { kind: 'circle', center: s, radius } : undefined;
      }
      case 'line':
      case 'ruler':
        return { kind: 'line', start: s, end: p };
      case 'freehand':
        return g.points.length >= 3 ? { kind: 'polygon', points: g.points } : { kind: 'polyline', points: g.points.length > 1 ? g.points : [s, p] };
      default:
        return undefined;
    }
  }

  #release(): void {
    const g = this.#gesture;
    this.#gesture = undefined;
    if (!g) return;
    this.#drew = true;
    const end = g.points.at(-1)!;
    // A press without a drag draws nothing (a stray tap must not leave a 1-pixel shape).
    const threshold = 2 * this.#perScreenPixel();
    const moved = g.points.some((p) => Math.hypot(p.x - g.start.x, p.y - g.start.y) >= threshold);
    const geometry = moved ? this.#dragGeometry(g, end) : undefined;
    this.#overlay.draft = undefined;
    if (geometry && g.edit) {
      this.#set.update(g.edit.id, { geometry });
      this.#host.measured(measure(geometry, this.#mpp));
    } else if (geometry && this.tool === 'ruler') {
      this.#overlay.ruler = geometry;
    } else if (geometry && this.tool !== 'ruler' && (geometry.kind !== 'polyline' || this.tool !== 'freehand')) {
      this.#add(geometry, this.tool === 'freehand');
    }
    this.#overlay.redraw();
  }

  #add(geometry: Geometry, freehand = false): void {
    this.#set.add({ geometry, style: this.#host.style(), label: this.#host.label(), ...(freehand ? { properties: { freehand: true } } : {}) });
    this.#host.measured(undefined);
  }

  #click(e: OpenSeadragon.CanvasClickEvent): void {
    if (!this.tool || !e.quick || this.#spaceHeld) return;
    const p = this.#image(e);
    switch (this.tool) {
      case 'select': {
        e.preventDefaultAction = true;
        this.select(this.#set.hit(p, HIT_PX * this.#perScreenPixel())?.id);
        return;
      }
      case 'point':
        e.preventDefaultAction = true;
        this.#add({ kind: 'point', point: p });
        return;
      case 'polygon':
      case 'polyline': {
        e.preventDefaultAction = true;
        const last = this.#vertices.at(-1);
        // The second click of a double-click lands where the first did: one vertex, not two.
        if (!last || Math.hypot(p.x - last.x, p.y - last.y) > 2 * this.#perScreenPixel()) this.#vertices.push(p);
        this.#showVertices();
        return;
      }
      default:
        // Drag tools: a click neither draws nor zooms.
        e.preventDefaultAction = true;
    }
  }

  #showVertices(): void {
    const points = this.#vertices;
    const geometry: Geometry | undefined =
      points.length === 1
        ? { kind: 'point', point: points[0]! }
        : this.tool === 'polygon' && points.length >= 3
          ? { kind: 'polygon', points }
          : { kind: 'polyline', points };
    this.#overlay.draft = points.length ? { geometry: geometry!, style: this.#host.style() } : undefined;
    this.#host.measured(points.length > 1 ? measure(geometry!, this.#mpp) : undefined);
    this.#overlay.redraw();
  }

  /** Finishes a polygon (3 vertices or more) or polyline (2 or more); fewer: keeps drawing. */
  finish(): boolean {
    const points = this.#vertices;
    if ((this.tool === 'polygon' && points.length >= 3) || (this.tool === 'polyline' && points.length >= 2)) {
      this.#add({ kind: this.tool, points: [...points] });
      this.cancel();
      return true;
    }
    return false;
  }

  #doubleClick(e: { preventDefaultAction: boolean }): void {
    if (!this.tool) return;
    e.preventDefaultAction = true;
    this.finish();
  }

  /** Handles the tools' keys; true when the key was theirs. */
  #key(e: KeyboardEvent): boolean {
    const target = e.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable)) return false;
    const mod = e.ctrlKey || e.metaKey;
    const handled = (): true => {
      e.preventDefault();
      e.stopPropagation();
      return true;
    };
    if (e.key === ' ' && this.tool && DRAG_TOOLS.has(this.tool)) {
      this.#spaceHeld = true;
      return handled();
    }
    if (mod && e.key.toLowerCase() === 'z') {
      if (e.shiftKey) this.#set.redo();
      else this.#set.undo();
      return handled();
    }
    if (mod && e.key.toLowerCase() === 'y') {
      this.#set.redo();
      return handled();
    }
    if (!this.tool) return false;
    if (e.key === 'Escape') {
      this.cancel();
      this.#overlay.ruler = undefined;
      this.select(undefined);
      return handled();
    }
    if (e.key === 'Enter' && this.finish()) return handled();
    if ((e.key === 'Delete' || e.key === 'Backspace') && this.#vertices.length) {
      this.#vertices.pop();
      this.#showVertices();
      return handled();
    }
    const selected = this.#overlay.selected;
    if ((e.key === 'Delete' || e.key === 'Backspace') && selected && this.#set.get(selected)) {
      this.select(undefined);
      this.#set.remove(selected);
      return handled();
    }
    return false;
  }
}
