import { ANNOTATION_TOOLS, type AnnotationTool } from './tools.js';

const TOOL_NAMES: Record<AnnotationTool, string> = {
  select: 'Select',
  point: 'Point',
  rectangle: 'Rectangle',
  ellipse: 'Ellipse',
  circle: 'Circle',
  polygon: 'Polygon',
  freehand: 'Freehand',
  line: 'Line',
  polyline: 'Polyline',
  ruler: 'Ruler',
};

export interface ToolbarActions {
  setTool(tool: AnnotationTool | null): void;
  undo(): void;
  redo(): void;
  deleteSelected(): void;
  exportGeoJson(): void;
  /** A file the user picked: GeoJSON, ImageScope XML or the fork's JSON. */
  importFile(file: File): void;
  /** The colour or label inputs changed: applied to the selected shape, if any (and to shapes drawn next). */
  colourChanged(color: string): void;
  labelChanged(label: string | null): void;
}

export interface Toolbar {
  /** The ✎ button that opens the tools (goes in the viewer's button row). */
  toggle: HTMLButtonElement;
  panel: HTMLElement;
  /** The live measurement line (and what an import did). */
  readout: HTMLElement;
  color(): string;
  label(): string | null;
  showTool(tool: AnnotationTool | null): void;
  /** A shape was selected (its colour and label shown in the inputs) or the selection cleared. */
  showSelection(selected: { color: string; label: string | null } | undefined): void;
  showHistory(canUndo: boolean, canRedo: boolean): void;
}

function button(doc: Document, text: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = doc.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

/** The annotation tools: one button per tool (pressed state for screen readers), colour, label, undo, redo, delete, export. */
export function buildToolbar(doc: Document, actions: ToolbarActions): Toolbar {
  const panel = doc.createElement('div');
  panel.className = 'wsi-annotate';
  panel.setAttribute('role', 'toolbar');
  panel.setAttribute('aria-label', 'Annotation tools');
  panel.hidden = true;
  let current: AnnotationTool | null = null;
  /** The inputs' values for new shapes, kept while a selection's values are shown in them. */
  let editing: { color: string; label: string } | undefined;
  const tools = ANNOTATION_TOOLS.map((tool) => {
    const b = button(doc, TOOL_NAMES[tool], tool === 'ruler' ? 'Measure without saving' : `Draw: ${TOOL_NAMES[tool].toLowerCase()}`, () =>
      actions.setTool(current === tool ? null : tool),
    );
    b.dataset.tool = tool;
    b.setAttribute('aria-pressed', 'false');
    return b;
  });
  const color = doc.createElement('input');
  color.type = 'color';
  color.value = '#ff3366';
  color.title = 'Colour of new shapes';
  color.setAttribute('aria-label', 'Colour of new shapes');
  color.dataset.annotate = 'color';
  color.addEventListener('change', () => actions.colourChanged(color.value));
  const label = doc.createElement('input');
  label.type = 'text';
  label.placeholder = 'label';
  label.maxLength = 200;
  label.setAttribute('aria-label', 'Label of new shapes');
  label.dataset.annotate = 'label';
  label.addEventListener('change', () => actions.labelChanged(label.value.trim() || null));
  const undo = button(doc, 'Undo', 'Undo (Ctrl+Z)', actions.undo);
  const redo = button(doc, 'Redo', 'Redo (Ctrl+Shift+Z)', actions.redo);
  const remove = button(doc, 'Delete', 'Delete the selected shape (Delete)', actions.deleteSelected);
  const exportButton = button(doc, 'Export', 'Download the shapes as GeoJSON (QuPath)', actions.exportGeoJson);
  const picker = doc.createElement('input');
  picker.type = 'file';
  picker.accept = '.geojson,.json,.xml,application/geo+json,application/json,application/xml';
  picker.hidden = true;
  picker.dataset.annotate = 'import-file';
  picker.addEventListener('change', () => {
    const file = picker.files?.[0];
    if (file) actions.importFile(file);
    picker.value = '';
  });
  const importButton = button(doc, 'Import', 'Add shapes from a GeoJSON, ImageScope XML or annotation JSON file', () => picker.click());
  for (const [b, name] of [
    [undo, 'undo'],
    [redo, 'redo'],
    [remove, 'delete'],
    [exportButton, 'export'],
    [importButton, 'import'],
  ] as const)
    b.dataset.annotate = name;
  panel.append(...tools, color, label, undo, redo, remove, importButton, picker, exportButton);
  const readout = doc.createElement('div');
  readout.className = 'wsi-measure';
  readout.setAttribute('aria-live', 'polite');
  readout.hidden = true;
  const toggle = button(doc, '✎', 'Annotate', () => {
    panel.hidden = !panel.hidden;
    toggle.setAttribute('aria-expanded', String(!panel.hidden));
    if (panel.hidden) actions.setTool(null);
  });
  toggle.setAttribute('aria-label', 'Annotation tools');
  toggle.setAttribute('aria-expanded', 'false');
  toggle.dataset.action = 'annotate';
  return {
    toggle,
    panel,
    readout,
    color: () => color.value,
    label: () => label.value.trim() || null,
    showTool(tool) {
      current = tool;
      for (const b of tools) b.setAttribute('aria-pressed', String(b.dataset.tool === tool));
    },
    showSelection(selected) {
      remove.disabled = !selected;
      // The inputs show the selection's own values while it lasts; what was typed for new shapes comes back after.
      if (selected && !editing) editing = { color: color.value, label: label.value };
      const shown = selected ? { color: selected.color.slice(0, 7), label: selected.label ?? '' } : editing;
      if (!selected) editing = undefined;
      if (!shown) return;
      color.value = shown.color;
      label.value = shown.label;
    },
    showHistory(canUndo, canRedo) {
      undo.disabled = !canUndo;
      redo.disabled = !canRedo;
    },
  };
}
