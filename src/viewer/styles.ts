const CSS = `
.wsi-root{position:relative;width:100%;height:100%;overflow:hidden;font:13px/1.4 system-ui,sans-serif}
.wsi-root.wsi-dark{background:#0f0f0f;color:#e8e8e8}
.wsi-root.wsi-light{background:#f4f4f4;color:#1b1b1b}
.wsi-osd{position:absolute;inset:0}
.wsi-bar{position:absolute;left:12px;bottom:12px;padding:4px 8px;border-radius:4px;background:rgba(0,0,0,.55);color:#fff;pointer-events:none}
.wsi-light .wsi-bar{background:rgba(255,255,255,.8);color:#000}
.wsi-bar-line{height:4px;border:2px solid currentColor;border-top:none;margin-top:2px}
.wsi-tools{position:absolute;top:12px;left:12px;display:flex;gap:4px}
.wsi-tools button,.wsi-panel button{font:inherit;padding:4px 9px;border-radius:4px;border:1px solid rgba(128,128,128,.5);background:rgba(30,30,30,.8);color:#eee;cursor:pointer}
.wsi-light .wsi-tools button,.wsi-light .wsi-panel button{background:rgba(255,255,255,.9);color:#111}
.wsi-tools button svg{vertical-align:-1px}
.wsi-panel{position:absolute;top:12px;right:12px;max-width:360px;max-height:calc(100% - 200px);overflow:auto;padding:10px 12px;border-radius:6px;background:rgba(20,20,20,.9)}
.wsi-light .wsi-panel{background:rgba(255,255,255,.95)}
.wsi-panel[hidden]{display:none}
.wsi-panel table{border-collapse:collapse;width:100%}.wsi-panel td{padding:1px 4px;vertical-align:top;word-break:break-all}
.wsi-panel td:first-child{opacity:.7;white-space:nowrap;word-break:normal}
.wsi-channels fieldset{border:1px solid rgba(128,128,128,.4);border-radius:4px;margin:0 0 6px;padding:4px 6px}
.wsi-channels legend{display:flex;align-items:center;gap:6px}.wsi-channels input[type=checkbox],.wsi-channels input[type=color]{min-width:28px;min-height:28px}
.wsi-channel-range{display:flex;align-items:center;gap:6px}.wsi-channel-range input{flex:1;min-width:0;min-height:28px}
.wsi-panel canvas{max-width:100%;display:block;margin-top:6px;background:#fff}
.wsi-error{position:absolute;left:50%;top:12px;transform:translateX(-50%);padding:6px 12px;border-radius:4px;background:#b3261e;color:#fff}
.wsi-error[hidden]{display:none}
.wsi-root :focus-visible{outline:2px solid #6aa9ff;outline-offset:2px}.wsi-light :focus-visible{outline-color:#1f5fbf}
.wsi-annotations{position:absolute;inset:0;width:100%;height:100%;pointer-events:none}
.wsi-drawing .openseadragon-canvas{cursor:crosshair!important}
.wsi-annotate{position:absolute;top:56px;left:12px;display:flex;flex-direction:column;gap:3px;max-height:calc(100% - 120px);overflow:auto}
.wsi-annotate[hidden]{display:none}
.wsi-annotate button,.wsi-annotate input{font:inherit;padding:3px 8px;border-radius:4px;border:1px solid rgba(128,128,128,.5);background:rgba(30,30,30,.8);color:#eee;cursor:pointer;text-align:left}
.wsi-annotate input[type=text]{cursor:text;width:110px}.wsi-annotate input[type=color]{padding:0;height:26px;width:100%}
.wsi-annotate button[aria-pressed=true]{background:#2b5fb4;border-color:#6aa9ff}
.wsi-annotate button:disabled{opacity:.4;cursor:default}
.wsi-light .wsi-annotate button,.wsi-light .wsi-annotate input{background:rgba(255,255,255,.9);color:#111}
.wsi-light .wsi-annotate button[aria-pressed=true]{background:#cfe0ff}
.wsi-measure{position:absolute;left:50%;bottom:12px;transform:translateX(-50%);padding:4px 10px;border-radius:4px;background:rgba(0,0,0,.7);color:#fff;pointer-events:none;white-space:nowrap}
.wsi-measure[hidden]{display:none}
@media (pointer:coarse),(max-width:767px){.wsi-annotate{flex-direction:row;flex-wrap:wrap;right:12px;max-height:40%}.wsi-annotate button{min-width:44px;min-height:44px}.wsi-annotate input[type=color]{width:44px;height:44px}}
@media (pointer:coarse),(max-width:767px){.wsi-tools button{min-width:44px;min-height:44px}}
@media (max-width:479px){.wsi-root .navigator{display:none!important}}
`;

/** Adds the viewer's styles to the document once. */
export function ensureStyles(doc: Document): void {
  if (doc.getElementById('wsi-stream-styles')) return;
  const style = doc.createElement('style');
  style.id = 'wsi-stream-styles';
  style.textContent = CSS;
  doc.head.append(style);
}
