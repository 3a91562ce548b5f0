// Declarative search filters (GalleryFilter) checked and turned into the candidate mask the
// search kernel takes: 1 = a candidate slot.
import { describe } from '../core/validate.js';
import type { GalleryFilter } from './gallery.js';
import type { RowStore } from './row-store.js';

const FIELDS = ['labels', 'ids', 'excludeIds', 'meta'];

function strings(name: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new TypeError(`${name}: expected an array of strings, got ${describe(value)}`);
  value.forEach((s, i) => {
    if (typeof s !== 'string') throw new TypeError(`${name}[${i}]: expected a string, got ${describe(s)}`);
  });
  return value as string[];
}

/** The filter, checked; undefined when absent. */
export function checkFilter(name: string, value: unknown): GalleryFilter | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${name}: expected a filter object { labels?, ids?, excludeIds?, meta? }, got ${typeof value === 'function' ? 'a function' : describe(value)}`);
  }
  const f = value as Record<string, unknown>;
  for (const key of Object.keys(f)) {
    if (!FIELDS.includes(key)) throw new RangeError(`${name}: expected only ${FIELDS.join(', ')}, got '${key}'`);
  }
  const meta = f.meta;
  if (meta !== undefined) {
    if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) throw new TypeError(`${name}.meta: expected an object, got ${describe(meta)}`);
    for (const [k, v] of Object.entries(meta)) {
      if (v !== null && !['string', 'number', 'boolean'].includes(typeof v)) {
        throw new TypeError(`${name}.meta.${k}: expected a string, number, boolean or null, got ${describe(v)}`);
      }
    }
  }
  return {
    labels: strings(`${name}.labels`, f.labels), ids: strings(`${name}.ids`, f.ids),
    excludeIds: strings(`${name}.excludeIds`, f.excludeIds), meta: meta as GalleryFilter['meta'],
  };
}

/** Slots [0, rows.n) that are live and match every field of the filter. */
export function candidateMask(rows: RowStore, filter: GalleryFilter | undefined): Uint8Array {
  const mask = rows.live.slice(0, rows.n);
  if (!filter) return mask;
  if (filter.ids) {
    const only = new Uint8Array(rows.n);
    for (const id of filter.ids) {
      const s = rows.slotOf.get(id);
      if (s !== undefined) only[s] = mask[s];
    }
    mask.set(only);
  }
  for (const id of filter.excludeIds ?? []) {
    const s = rows.slotOf.get(id);
    if (s !== undefined) mask[s] = 0;
  }
  if (filter.labels) {
    const wanted = new Uint8Array(rows.labels.count);
    for (const name of filter.labels) {
      const l = rows.labels.find(name);
      if (l !== undefined) wanted[l] = 1;
    }
    for (let s = 0; s < rows.n; s++) if (mask[s] && !wanted[rows.labelOf[s]]) mask[s] = 0;
  }
  const meta = filter.meta === undefined ? [] : Object.entries(filter.meta);
  if (meta.length > 0) {
    for (let s = 0; s < rows.n; s++) {
      if (!mask[s]) continue;
      const m = rows.meta.get(s);
      if (!m || !meta.every(([k, v]) => Object.hasOwn(m, k) && m[k] === v)) mask[s] = 0;
    }
  }
  return mask;
}
