// ROC and DET plots as hand-written SVG (no plotting dependency). sharp turns them into PNG.
//
// ROC: true accept rate (linear, 0..1) against false accept rate on a log axis, the usual face
// verification view, since the operating points that matter sit at FAR 1e-2 and below.
// DET: false non-match rate against false match rate, both on log axes (as NIST FRVT plots them).
// A zero rate cannot sit on a log axis; it is drawn on the axis' lower edge.

export interface PlotSeries {
  label: string;
  /** False accept rate per ROC point. */
  far: ArrayLike<number>;
  /** True accept rate per ROC point (DET uses 1 - tar). */
  tar: ArrayLike<number>;
}

export interface PlotOptions {
  title?: string;
  width?: number;
  height?: number;
  /** Lowest decade on the log axes (default: from the smallest non-zero rate, at least 1e-6). */
  minRate?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const MARGIN = { left: 64, right: 20, top: 40, bottom: 52 };
const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function num(v: number): string {
  return (Math.round(v * 100) / 100).toString();
}

function checkSeries(series: readonly PlotSeries[]): void {
  if (!Array.isArray(series)) throw new TypeError(`series: expected an array of { label, far, tar }, got ${typeof series}`);
  if (series.length === 0) throw new RangeError('series: expected at least one curve, got 0');
  series.forEach((s, i) => {
    if (s === null || typeof s !== 'object' || typeof s.label !== 'string' || typeof s.far?.length !== 'number' || typeof s.tar?.length !== 'number') {
      throw new TypeError(`series[${i}]: expected { label: string, far: number[], tar: number[] }, got ${s === null ? 'null' : typeof s}`);
    }
    if (s.far.length !== s.tar.length) throw new RangeError(`series[${i}].tar: expected the length of far (${s.far.length}), got ${s.tar.length}`);
  });
}

/** Lowest decade that shows the smallest non-zero rate. */
function lowestDecade(series: readonly PlotSeries[], pick: (s: PlotSeries, i: number) => number, floor: number): number {
  let min = 1;
  for (const s of series) {
    for (let i = 0; i < s.far.length; i++) {
      const v = pick(s, i);
      if (v > 0 && v < min) min = v;
    }
  }
  return Math.max(floor, Math.min(0.1, 10 ** Math.floor(Math.log10(min) + 1e-9)));
}

interface Axis {
  toPx(v: number): number;
  ticks: { value: number; label: string }[];
}

function logAxis(min: number, pxLo: number, pxHi: number): Axis {
  const lo = Math.log10(min);
  const toPx = (v: number) => pxLo + ((Math.log10(Math.max(v, min)) - lo) / -lo) * (pxHi - pxLo);
  const ticks = [];
  for (let e = Math.round(lo); e <= 0; e++) ticks.push({ value: 10 ** e, label: e === 0 ? '1' : `1e${e}` });
  return { toPx, ticks };
}

function linearAxis(pxLo: number, pxHi: number): Axis {
  const ticks = [];
  for (let i = 0; i <= 5; i++) ticks.push({ value: i / 5, label: (i / 5).toFixed(1) });
  return { toPx: (v: number) => pxLo + v * (pxHi - pxLo), ticks };
}

/** Polyline points in pixels, dropping points within half a pixel of the last kept one. */
function polyline(xs: number[], ys: number[]): string {
  const out: string[] = [];
  let lx = NaN;
  let ly = NaN;
  for (let i = 0; i < xs.length; i++) {
    const last = i === xs.length - 1;
    if (!last && Math.abs(xs[i] - lx) < 0.5 && Math.abs(ys[i] - ly) < 0.5) continue;
    out.push(`${num(xs[i])},${num(ys[i])}`);
    lx = xs[i];
    ly = ys[i];
  }
  return out.join(' ');
}

function frame(
  series: readonly PlotSeries[],
  opts: PlotOptions,
  xAxisOf: (x0: number, x1: number) => Axis,
  yAxisOf: (y0: number, y1: number) => Axis,
  xy: (s: PlotSeries, i: number) => [number, number],
  labels: { x: string; y: string; title: string },
  legendAtBottom: boolean,
): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 480;
  const x0 = MARGIN.left;
  const x1 = width - MARGIN.right;
  const y0 = height - MARGIN.bottom;
  const y1 = MARGIN.top;
  const xAxis = xAxisOf(x0, x1);
  const yAxis = yAxisOf(y0, y1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${num(width / 2)}" y="24" text-anchor="middle" font-size="16" ${FONT}>${escapeXml(opts.title ?? labels.title)}</text>`,
  ];
  for (const t of xAxis.ticks) {
    const x = num(xAxis.toPx(t.value));
    parts.push(`<line x1="${x}" y1="${y0}" x2="${x}" y2="${y1}" stroke="#dddddd"/>`);
    parts.push(`<text x="${x}" y="${y0 + 18}" text-anchor="middle" font-size="12" ${FONT}>${t.label}</text>`);
  }
  for (const t of yAxis.ticks) {
    const y = num(yAxis.toPx(t.value));
    parts.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#dddddd"/>`);
    parts.push(`<text x="${x0 - 6}" y="${num(yAxis.toPx(t.value) + 4)}" text-anchor="end" font-size="12" ${FONT}>${t.label}</text>`);
  }
  parts.push(`<rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}" fill="none" stroke="#333333"/>`);
  parts.push(`<text x="${num((x0 + x1) / 2)}" y="${height - 12}" text-anchor="middle" font-size="13" ${FONT}>${escapeXml(labels.x)}</text>`);
  parts.push(
    `<text x="16" y="${num((y0 + y1) / 2)}" text-anchor="middle" font-size="13" ${FONT} transform="rotate(-90 16 ${num((y0 + y1) / 2)})">${escapeXml(labels.y)}</text>`,
  );
  const legend: string[] = [];
  // Legend in the corner the curves leave empty: lower right for ROC, upper right for DET.
  const legendWidth = 40 + 7 * Math.max(...series.map((s) => s.label.length));
  const lx = x1 - 10 - legendWidth;
  const ly0 = legendAtBottom ? y0 - 10 - 18 * series.length : y1 + 10;
  legend.push(`<rect x="${lx}" y="${ly0}" width="${legendWidth}" height="${18 * series.length + 6}" fill="#ffffff" fill-opacity="0.85" stroke="#bbbbbb"/>`);
  series.forEach((s, k) => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < s.far.length; i++) {
      const [x, y] = xy(s, i);
      xs.push(xAxis.toPx(x));
      ys.push(yAxis.toPx(y));
    }
    const color = PALETTE[k % PALETTE.length];
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${polyline(xs, ys)}"/>`);
    const ly = ly0 + 17 + 18 * k;
    legend.push(`<line x1="${lx + 8}" y1="${ly - 4}" x2="${lx + 30}" y2="${ly - 4}" stroke="${color}" stroke-width="3"/>`);
    legend.push(`<text x="${lx + 36}" y="${ly}" font-size="12" ${FONT}>${escapeXml(s.label)}</text>`);
  });
  parts.push(...legend);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** ROC plot: TAR (linear) against FAR (log). */
export function rocSvg(series: readonly PlotSeries[], opts: PlotOptions = {}): string {
  checkSeries(series);
  const minRate = opts.minRate ?? lowestDecade(series, (s, i) => s.far[i], 1e-6);
  return frame(
    series,
    opts,
    (a, b) => logAxis(minRate, a, b),
    (a, b) => linearAxis(a, b),
    (s, i) => [s.far[i], s.tar[i]],
    { x: 'False accept rate (FAR)', y: 'True accept rate (TAR)', title: 'ROC' },
    true,
  );
}

/** DET plot: FNMR against FMR, both log. */
export function detSvg(series: readonly PlotSeries[], opts: PlotOptions = {}): string {
  checkSeries(series);
  const minRate =
    opts.minRate ??
    Math.min(
      lowestDecade(series, (s, i) => s.far[i], 1e-6),
      lowestDecade(series, (s, i) => 1 - s.tar[i], 1e-6),
    );
  return frame(
    series,
    opts,
    (a, b) => logAxis(minRate, a, b),
    (a, b) => logAxis(minRate, a, b),
    (s, i) => [s.far[i], 1 - s.tar[i]],
    { x: 'False match rate (FMR)', y: 'False non-match rate (FNMR)', title: 'DET' },
    false,
  );
}
