import type OpenSeadragon from 'openseadragon';
import { type AnnotationEvents, AnnotationSet } from '../../annotations/annotation-set.js';
import { type AnnotationFormat, exportAnnotations, importAnnotations } from '../../annotations/formats/index.js';
import type { ImportProblem } from '../../annotations/formats/import-result.js';
import { formatMeasurement } from '../../annotations/geometry.js';
import { newAnnotationId } from '../../annotations/new-id.js';
import type { Annotation, AnnotationInput, AnnotationKind, AnnotationPatch, Box } from '../../annotations/types.js';
import { Emitter } from '../../emitter.js';
import { SlideError } from '../../errors.js';
import type { Slide } from '../../slide/types.js';
import { type AnnotationStorage, IdbAnnotationStorage, type SidecarAnnotationOptions, SidecarAnnotationStorage } from './annotation-storage.js';
import { AnnotationOverlay, type OverlayStats } from './overlay.js';
import { SaveQueue } from './save-queue.js';
import { buildToolbar } from './toolbar.js';
import { type AnnotationTool, ToolController } from './tools.js';

export interface AnnotationOptions extends Partial<SidecarAnnotationOptions> {
  /**
   * Where shapes are kept: with `sidecar`, the sidecar's annotation routes (under `slideId`; default: the id of a
   * sidecar `/raw/{id}` URL the slide came from, else the slide's `sourceId`); else `'indexeddb'`
   * (default: the browser keeps them per slide identity) or `'none'` (the page's lifetime only).
   */
  storage?: 'indexeddb' | 'none';
  /** Author of shapes drawn here (default `viewer`). */
  author?: string;
  /** The ✎ button and tool panel (default on); the API works without them. */
  toolbar?: boolean;
}

export interface AnnotationViewerEvents extends AnnotationEvents {
  /** A change could not be saved; `retrying` is false when it was given up (the server refused it). */
  'annotation-save-failed': { error: SlideError; retrying: boolean };
}

/** `viewer.annotations`: the slide's shapes, the drawing tools, import and export. */
export interface ViewerAnnotations {
  add(input: AnnotationInput): Annotation;
  update(id: string, patch: AnnotationPatch): Annotation;
  remove(id: string): Annotation;
  get(id: string): Annotation | undefined;
  list(query?: { bbox?: Box; kind?: AnnotationKind }): Annotation[];
  /** Reads a file (GeoJSON, ImageScope XML, the fork's JSON; detected when `format` is omitted) and adds its shapes as one undo step. */
  import(data: string, format?: AnnotationFormat): { added: Annotation[]; problems: ImportProblem[] };
  export(format: AnnotationFormat): string;
  on<K extends keyof AnnotationViewerEvents>(event: K, handler: (payload: AnnotationViewerEvents[K]) => void): () => void;
  setTool(tool: AnnotationTool | null): void;
  readonly tool: AnnotationTool | null;
  select(id: string | null): void;
  readonly selected: string | null;
  undo(): boolean;
  redo(): boolean;
  /** The top-most shape at a level-0 position, within `tolerance` screen pixels. */
  hit(point: { x: number; y: number }, tolerance?: number): Annotation | undefined;
  /** Resolves when the shapes kept for this slide (IndexedDB or the sidecar) are in the set; a failure is an `annotation-save-failed` event. */
  readonly loaded: Promise<void>;
  /** Resolves when every change made so far is saved. */
  flush(): Promise<void>;
  /** Where shapes are saved. */
  readonly storage: string;
  /** The overlay's drawing times. */
  renderStats(): OverlayStats;
}

export interface AttachedAnnotations {
  api: ViewerAnnotations;
  toolbarButton?: HTMLElement;
  elements: HTMLElement[];
  destroy(): void;
}

/**
 * The slide's id on the sidecar when the host gave none: the id in a sidecar `/raw/{id}` URL the slide was opened
 * from, else the slide's identity (the sidecar keeps annotations under any slide name).
 */
function sidecarSlideId(sidecar: string, sourceId: string): string {
  const raw = `${sidecar.replace(/\/$/, '')}/raw/`;
  return sourceId.startsWith(raw) ? decodeURIComponent(sourceId.slice(raw.length)) : sourceId;
}

function storageFor(slide: Slide, options: AnnotationOptions, set: AnnotationSet): AnnotationStorage | undefined {
  if (options.sidecar) {
    const slideId = options.slideId ?? sidecarSlideId(options.sidecar, slide.sourceId);
    return new SidecarAnnotationStorage({ sidecar: options.sidecar, slideId, ...(options.auth ? { auth: options.auth } : {}) });
  }
  return options.storage === 'none' ? undefined : new IdbAnnotationStorage(slide.sourceId, () => set.list());
}

/** Builds the annotation layer of a viewer: the set, its overlay, the tools, the toolbar and saving. */
export function attachAnnotations(osd: OpenSeadragon.Viewer, slide: Slide, options: AnnotationOptions): AttachedAnnotations {
  const doc = osd.element.ownerDocument;
  const set = new AnnotationSet({ author: options.author ?? 'viewer', ...(slide.mpp ? { mpp: slide.mpp } : {}) });
  const events = new Emitter<AnnotationViewerEvents>();
  const overlay = new AnnotationOverlay(osd, set);
  const storage = storageFor(slide, options, set);
  const queue = storage ? new SaveQueue(storage, { failed: (error, retrying) => events.emit('annotation-save-failed', { error, retrying }) }) : undefined;
  const toolbar =
    options.toolbar === false
      ? undefined
      : buildToolbar(doc, {
          setTool: (tool) => api.setTool(tool),
          undo: () => set.undo(),
          redo: () => set.redo(),
          deleteSelected: () => {
            const id = overlay.selected;
            if (id) {
              tools.select(undefined);
              set.remove(id);
            }
          },
          exportGeoJson: () => download(doc, `${slide.sourceId.split('/').pop() ?? 'slide'}.geojson`, api.export('geojson')),
          importFile: (file) => void importFile(file),
          colourChanged: (color) => {
            const a = overlay.selected ? set.get(overlay.selected) : undefined;
            if (a) set.update(a.id, { style: { ...a.style, color } });
          },
          labelChanged: (label) => {
            if (overlay.selected && set.get(overlay.selected)) set.update(overlay.selected, { label });
          },
        });
  /** The toolbar's Import: what was added and what was not, said in the readout (and the problems in the console). */
  const importFile = async (file: File) => {
    if (!toolbar) return;
    let said: string;
    try {
      const { added, problems } = api.import(await file.text());
      const refused = problems.filter((p) => !p.kept).length;
      said = `${file.name}: ${added.length} shapes added${refused ? `, ${refused} not readable` : ''}`;
      if (problems.length) console.warn(`wsi-stream: ${file.name}:`, problems);
    } catch (e) {
      said = `${file.name}: ${SlideError.is(e) ? e.message : String(e)}`;
    }
    toolbar.readout.hidden = false;
    toolbar.readout.textContent = said;
  };
  const tools = new ToolController(
    osd,
    set,
    overlay,
    {
      style: () => ({ color: toolbar?.color() ?? '#ff3366', opacity: 0.35 }),
      label: () => toolbar?.label() ?? null,
      measured: (m) => {
        if (!toolbar) return;
        toolbar.readout.hidden = !m || formatMeasurement(m) === '';
        toolbar.readout.textContent = m ? formatMeasurement(m) : '';
      },
      selectionChanged: (id) => {
        const a = id ? set.get(id) : undefined;
        toolbar?.showSelection(a ? { color: a.style.color, label: a.label } : undefined);
      },
    },
    slide.mpp,
  );
  const changed = () => {
    overlay.changed();
    toolbar?.showHistory(set.canUndo, set.canRedo);
  };
  for (const name of ['annotation-added', 'annotation-changed', 'annotation-removed'] as const) {
    set.on(name, (change) => {
      changed();
      if (overlay.selected && !set.get(overlay.selected)) tools.select(undefined);
      events.emit(name, change);
      // What was loaded from the storage is not sent back to it.
      if (!queue || change.origin === 'load') return;
      if (name === 'annotation-removed') queue.push({ kind: 'removed', ids: change.annotations.map((a) => a.id) });
      else queue.push({ kind: name === 'annotation-added' ? 'added' : 'changed', annotations: change.annotations });
    });
  }
  toolbar?.showHistory(false, false);
  toolbar?.showSelection(undefined);
  // The stored shapes load beside the first tiles; a shape added before they arrive is kept with them.
  const loaded = (async () => {
    if (!storage) return;
    try {
      const stored = await storage.load();
      const ids = new Set(stored.map((a) => a.id));
      set.reset([...stored, ...set.list().filter((a) => !ids.has(a.id))]);
    } catch (e) {
      const error = SlideError.is(e) ? e : new SlideError('network', `The annotations could not be loaded: ${(e as Error).message}`, { cause: e });
      events.emit('annotation-save-failed', { error, retrying: false });
    }
  })();

  const api: ViewerAnnotations = {
    add: (input) => set.add(input),
    update: (id, patch) => set.update(id, patch),
    remove: (id) => set.remove(id),
    get: (id) => set.get(id),
    list: (query) => set.list(query),
    import(data, format) {
      const read = importAnnotations(data, format, { ...(slide.mpp ? { mpp: slide.mpp } : {}), author: options.author ?? 'import' });
      const problems = [...read.problems];
      // Shapes already here (the same file imported twice) get fresh ids rather than failing the whole import.
      const fresh = read.annotations.map((a, index) => {
        if (!set.get(a.id)) return a;
        problems.push({ index, id: a.id, message: 'its id is already used on this slide: imported under a new id', kept: true });
        return { ...a, id: newAnnotationId() };
      });
      return { added: set.addMany(fresh, 'import'), problems };
    },
    export: (format) => exportAnnotations(set.list(), format, { ...(slide.mpp ? { mpp: slide.mpp } : {}), slideId: options.slideId ?? slide.sourceId }),
    on: (event, handler) => events.on(event, handler),
    setTool(tool) {
      tools.setTool(tool);
      toolbar?.showTool(tool);
      if (toolbar && tool) {
        toolbar.panel.hidden = false;
        toolbar.toggle.setAttribute('aria-expanded', 'true');
      }
      osd.element.classList.toggle('wsi-drawing', tool !== null && tool !== 'select');
    },
    get tool() {
      return tools.tool;
    },
    select: (id) => tools.select(id ?? undefined),
    get selected() {
      return overlay.selected ?? null;
    },
    undo: () => set.undo(),
    redo: () => set.redo(),
    hit(point, tolerance = 6) {
      return set.hit(point, tolerance / (overlay.transform()?.scale ?? 1));
    },
    loaded,
    flush: () => queue?.flush() ?? Promise.resolve(),
    storage: storage?.description ?? 'none',
    renderStats: () => ({ ...overlay.stats }),
  };
  return {
    api,
    ...(toolbar ? { toolbarButton: toolbar.toggle } : {}),
    elements: toolbar ? [toolbar.panel, toolbar.readout] : [],
    // Changes still being saved are left to finish: the storage does not need the viewer.
    destroy() {
      tools.destroy();
      overlay.destroy();
      events.clear();
    },
  };
}

function download(doc: Document, name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/geo+json' }));
  const a = doc.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
