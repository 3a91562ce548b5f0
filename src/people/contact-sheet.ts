// The people report: one HTML file, each person a row of face thumbnails (inline data URIs,
// so the file stands alone), largest people first, unassigned faces last.

export interface SheetFace {
  /** Where the face came from (shown on hover). */
  label: string;
  /** A data: URI of the face crop, or undefined (then the label is shown instead). */
  image?: string;
}

export interface SheetPerson {
  person: string;
  faces: SheetFace[];
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function faceHtml(f: SheetFace): string {
  const title = escape(f.label);
  return f.image
    ? `<img src="${f.image}" title="${title}" alt="${title}">`
    : `<span class="noimg" title="${title}">${title}</span>`;
}

export function contactSheetHtml(title: string, people: SheetPerson[], unassigned: SheetFace[]): string {
  const rows = [...people].sort((a, b) => b.faces.length - a.faces.length).map((p) =>
    `<section><h2>${escape(p.person)} <small>${p.faces.length} face${p.faces.length === 1 ? '' : 's'}</small></h2>` +
    `<div>${p.faces.map(faceHtml).join('')}</div></section>`);
  if (unassigned.length > 0) {
    rows.push(`<section><h2>not assigned <small>${unassigned.length}</small></h2><div>${unassigned.map(faceHtml).join('')}</div></section>`);
  }
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:1em}h2{font-size:15px;margin:.8em 0 .3em}small{color:#777;font-weight:normal}
img,.noimg{width:96px;height:96px;margin:2px;object-fit:cover;display:inline-block;vertical-align:top}
.noimg{font-size:10px;overflow:hidden;background:#eee;word-break:break-all}</style></head>
<body><h1>${escape(title)}</h1>
${rows.join('\n')}
</body></html>
`;
}
