// Random calls of the native-backed public API. Call i of seed s is a pure function of (s, i), so
// any failure replays alone. A valid call is checked against a plain float64 reference; an
// invalid one (one argument broken at random) must throw TypeError or RangeError whose message
// starts with that argument's name.
import * as lib from '../../../src/index.js';
import { crc32c } from '../../../src/gallery/file-format.js';
import { crc32Reference } from '../../helpers/crc-reference.js';
import { relativeError, refMarginSoftmax } from '../../helpers/margin-reference.js';
import { rng } from '../../helpers/random.js';
import { refSimilarity, refTopK, type RefMetric } from '../../helpers/reference.js';
import { refUmeyama, refWarp, similarity as similarityMatrix2x3 } from '../../helpers/warp-reference.js';

export interface Call {
  /** Function under test and, for an invalid call, the argument broken. */
  label: string;
  /** The argument an invalid call must name (undefined: a valid call). */
  invalid?: string;
  /** Runs the call and checks a valid call's result (throws on a mismatch). */
  run(): Promise<void>;
}

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Rows of values: mostly uniform, sometimes small integers (exact sums, ties) or a zero row. */
function rows(r: Rand, n: number, dim: number, integers: boolean): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    if (r() < 0.05) continue;  // a zero row
    for (let c = 0; c < dim; c++) out[i * dim + c] = integers ? int(r, -3, 3) : (r() - 0.5) * 4;
  }
  return out;
}

function detached(): Float32Array {
  const a = new Float32Array(8);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`mismatch: ${what}`);
}

/** Bad values of each kind an argument can be given. */
const badInteger = [0, -1, 1.5, NaN, Infinity, '3', null] as const;
const badThreads = [0, -2, 2.5, 5000, '2', NaN] as const;

/** One broken argument: its name (as the message must start) and how to break it (false: not applicable here). */
type Breaker<A> = [string, (a: A, r: Rand) => unknown];

function breakOne<A>(r: Rand, args: A, breakers: Breaker<A>[]): string {
  for (;;) {
    const [name, apply] = pick(r, breakers);
    if (apply(args, r) !== false) return name;
  }
}

// --- similarityMatrix / topK -------------------------------------------------------------

interface ScoreArgs {
  a: unknown; b: unknown; dim: unknown; k: unknown;
  options: Record<string, unknown> | unknown;
}

const scoreBreakers = (first: string, second: string, topk: boolean): Breaker<ScoreArgs>[] => [
  [first, (x, r) => (x.a = pick(r, ['rows', null, new Float64Array(8), [1, 2], detached()]))],
  [second, (x, r) => (x.b = pick(r, [undefined, new Int32Array(4), detached()]))],
  [second, (x) => x.dim !== 1 && (x.b = new Float32Array((x.b as Float32Array).length + 1))],
  // Non-finite input is found when the kernel runs, so only where it has something to compare.
  [first, (x, r) => {
    const a = x.a as Float32Array, b = x.b as Float32Array;
    if (a.length === 0 || b.length === 0) return false;
    a[int(r, 0, a.length - 1)] = pick(r, [NaN, Infinity, -Infinity]);
  }],
  ['dim', (x, r) => (x.dim = pick(r, [...badInteger, 2 ** 21]))],
  ['options', (x, r) => (x.options = pick(r, ['fast', 3, [1]]))],
  ['options.metric', (x, r) => ((x.options as Record<string, unknown>).metric = pick(r, ['l2', 'COSINE', 1]))],
  ['options.threads', (x, r) => ((x.options as Record<string, unknown>).threads = pick(r, badThreads))],
  ...(topk
    ? [['k', (x: ScoreArgs, r: Rand) => (x.k = pick(r, [...badInteger, 2 ** 31]))] as Breaker<ScoreArgs>]
    : [['options.out', (x: ScoreArgs, r: Rand) => {
      const size = (x.a as Float32Array).length * (x.b as Float32Array).length / (x.dim as number) ** 2;
      (x.options as Record<string, unknown>).out = pick(r, [new Float64Array(4), 'out', ...(size > 0 ? [new Float32Array(size - 1)] : [])]);
    }] as Breaker<ScoreArgs>]),
];

function scoreCall(r: Rand, topk: boolean, asyncForm: boolean, valid: boolean): Call {
  const dim = pick(r, [1, 2, 3, 7, 16, 33, 64, 128, 200]);
  const integers = r() < 0.3;
  const na = int(r, 0, 9), nb = int(r, 0, 40);
  const metric: RefMetric = pick(r, ['cosine', 'dot']);
  const args: ScoreArgs = {
    a: rows(r, na, dim, integers), b: rows(r, nb, dim, integers), dim, k: int(r, 1, 45),
    options: { metric, threads: int(r, 1, 4) },
  };
  const fn = topk ? (asyncForm ? 'topKAsync' : 'topK') : asyncForm ? 'similarityMatrixAsync' : 'similarityMatrix';
  const invalid = valid ? undefined : breakOne(r, args, scoreBreakers(topk ? 'queries' : 'a', topk ? 'gallery' : 'b', topk));
  const a = args.a as Float32Array, b = args.b as Float32Array;
  return {
    label: fn, invalid,
    async run() {
      const f = (lib as unknown as Record<string, (...xs: unknown[]) => unknown>)[fn]!;
      const got = await f(args.a, args.b, args.dim, ...(topk ? [args.k] : []), args.options);
      if (!topk) {
        const m = got as Float32Array;
        check(m.length === na * nb, `length ${m.length} != ${na * nb}`);
        for (let i = 0; i < na; i++)
          for (let j = 0; j < nb; j++) {
            const want = refSimilarity(a, i, b, j, dim, metric);
            const scale = metric === 'dot' ? Math.sqrt(refSimilarity(a, i, a, i, dim, 'dot') * refSimilarity(b, j, b, j, dim, 'dot')) : 1;
            check(Math.abs(m[i * nb + j]! - want) <= 1e-5 * scale + 1e-6, `[${i},${j}] ${m[i * nb + j]} vs ${want}`);
          }
        return;
      }
      const res = got as lib.TopKResult;
      const ref = refTopK(a, b, dim, args.k as number, metric);
      check(res.k === ref.k && res.indices.length === na * ref.k, `k ${res.k} vs ${ref.k}`);
      const exact = integers && metric === 'dot';  // small integers: exact scores, so exact order and ties
      for (let i = 0; i < na; i++) {
        const all = Array.from({ length: nb }, (_, j) => refSimilarity(a, i, b, j, dim, metric));
        const seen = new Set<number>();
        for (let t = 0; t < ref.k; t++) {
          const j = res.indices[i * ref.k + t]!, s = res.scores[i * ref.k + t]!;
          check(j >= 0 && j < nb && !seen.has(j), `query ${i}: index ${j}`);
          seen.add(j);
          // float32 accumulation: dot scores are good to ~1e-6 of |q| |g| (cosine: of 1).
          const tol = 1e-5 * (metric === 'dot' ? Math.sqrt(refSimilarity(a, i, a, i, dim, 'dot') * refSimilarity(b, j, b, j, dim, 'dot')) : 1) + 1e-6;
          check(Math.abs(s - all[j]!) <= tol, `query ${i}: score of ${j} ${s} vs ${all[j]}`);
          check(all[j]! >= ref.scores[i]![ref.k - 1]! - 2 * tol, `query ${i}: ${j} is not among the top ${ref.k}`);
          if (exact) check(j === ref.indices[i]![t], `query ${i} rank ${t}: ${j} vs ${ref.indices[i]![t]}`);
        }
      }
    },
  };
}

// --- warpAffine / alignFaces ---------------------------------------------------------------

function noiseImage(r: Rand, w: number, h: number, c: number) {
  const data = new Uint8Array(w * h * c);
  for (let i = 0; i < data.length; i++) data[i] = int(r, 0, 255);
  return { data, width: w, height: h, channels: c };
}

interface WarpArgs { image: Record<string, unknown>; matrices: unknown; options: Record<string, unknown> }

const warpBreakers: Breaker<WarpArgs>[] = [
  ['image.data', (x, r) => (x.image.data = pick(r, [new Float32Array(4), 'pixels', null, new Uint8Array(3)]))],
  ['image.width', (x, r) => (x.image.width = pick(r, [...badInteger, 2 ** 21]))],
  ['image.channels', (x, r) => (x.image.channels = pick(r, [0, 2, 5, '3']))],
  ['matrices', (x, r) => (x.matrices = pick(r, [new Float64Array(5), 'M', 7]))],
  ['matrices[0]', (x, r) => (x.matrices = [pick(r, [[0, 0, 0, 0, 0, 0], [1, 0, NaN, 0, 1, 0], [1, 2, 3], ['m', 0, 0, 0, 1, 0]])])],
  ['options.width', (x, r) => (x.options.width = pick(r, [...badInteger, 9000]))],
  ['options.interpolation', (x, r) => (x.options.interpolation = pick(r, ['cubic', 1]))],
  ['options.border', (x, r) => (x.options.border = pick(r, ['wrap', true]))],
  ['options.borderValue', (x, r) => (x.options.borderValue = pick(r, [256, -1, 1.5, [1, 2, 3, 4, 5]]))],
  ['options.threads', (x, r) => (x.options.threads = pick(r, badThreads))],
  ['options.out', (x, r) => (x.options.out = pick(r, [new Uint8Array(0), new Float32Array(10 ** 6), [0]]))],
];

function warpCall(r: Rand, asyncForm: boolean, valid: boolean): Call {
  const w = int(r, 1, 40), h = int(r, 1, 40), c = pick(r, [1, 3, 4]);
  const image = noiseImage(r, w, h, c);
  const ow = int(r, 1, 32), oh = int(r, 1, 32);
  const matrices = Array.from({ length: int(r, 1, 3) }, () =>
    similarityMatrix2x3((r() - 0.5) * 6.3, 0.3 + r() * 2, (r() - 0.5) * 2 * w, (r() - 0.5) * 2 * h));
  const interpolation = pick(r, ['bilinear', 'nearest'] as const), border = pick(r, ['constant', 'replicate'] as const);
  const borderValue = Array.from({ length: c }, () => int(r, 0, 255));
  const args: WarpArgs = { image, matrices, options: { width: ow, height: oh, interpolation, border, borderValue, threads: int(r, 1, 3) } };
  const invalid = valid ? undefined : breakOne(r, args, warpBreakers);
  const fn = asyncForm ? 'warpAffineAsync' : 'warpAffine';
  return {
    label: fn, invalid,
    async run() {
      const got = (await (asyncForm ? lib.warpAffineAsync : lib.warpAffine)(
        args.image as unknown as lib.RawImage, args.matrices as number[][], args.options as unknown as lib.WarpOptions)) as Uint8Array;
      const want = refWarp(image, matrices, { width: ow, height: oh, interpolation, border, borderValue });
      check(got.length === want.length, `length ${got.length} vs ${want.length}`);
      // nearest: an exact .5 tie may round either way; random matrices make one vanishingly rare.
      for (let i = 0; i < got.length; i++) check(Math.abs(got[i]! - want[i]!) <= (interpolation === 'nearest' ? 0.5 : 1), `byte ${i}: ${got[i]} vs ${want[i]}`);
    },
  };
}

function alignCall(r: Rand, asyncForm: boolean, valid: boolean): Call {
  const w = int(r, 8, 64), h = int(r, 8, 64);
  const image = noiseImage(r, w, h, 3);
  const template = lib.templateForSize(112);
  const faces = Array.from({ length: int(r, 1, 2) }, () => {
    const m = similarityMatrix2x3((r() - 0.5) * 1.5, 0.1 + r() * 0.6, r() * w * 0.5, r() * h * 0.5);
    return Array.from({ length: 10 }, (_, i) => (i % 2 === 0
      ? m[0]! * template[i]! + m[1]! * template[i + 1]! + m[2]!
      : m[3]! * template[i - 1]! + m[4]! * template[i]! + m[5]!) + (r() - 0.5));
  });
  const args = { image: image as unknown, landmarks: faces as unknown, options: { output: 'uint8', threads: int(r, 1, 2) } as Record<string, unknown> };
  let invalid: string | undefined;
  if (!valid) {
    invalid = breakOne(r, args, [
      ['landmarks', (x, rr) => (x.landmarks = pick(rr, ['eyes', new Array(7).fill(1), 5]))],
      ['landmarks[0]', (x, rr) => (x.landmarks = [pick(rr, [[1, 2, 3], new Array(10).fill(0), [NaN, 0, 1, 1, 2, 2, 3, 3, 4, 4]])])],
      ['options.size', (x, rr) => (x.options.size = pick(rr, [0, -1, 1.5, NaN, '112', 10000]))],
      ['image', (x, rr) => (x.image = pick(rr, [null, 'photo.jpg', { data: new Uint8Array(2), width: 1, height: 1, channels: 3 }]))],
    ]);
  }
  return {
    label: asyncForm ? 'alignFacesAsync' : 'alignFaces', invalid,
    async run() {
      const f = asyncForm ? lib.alignFacesAsync : lib.alignFaces;
      const got = (await f(args.image as lib.RawImage, args.landmarks as number[][], args.options as lib.AlignOptions)).tensor as Uint8Array;
      const want = refWarp(image, faces.map((p) => refUmeyama(p, template)), { width: 112, height: 112 });
      check(got.length === want.length, `length ${got.length} vs ${want.length}`);
      for (let i = 0; i < got.length; i++) check(Math.abs(got[i]! - want[i]!) <= 1, `byte ${i}: ${got[i]} vs ${want[i]}`);
    },
  };
}

// --- marginSoftmaxLoss -----------------------------------------------------------------------

/**
 * How far float32 may drift from float64 on this problem: 1 (well conditioned), 50 (a short row,
 * |x| < 0.1, or a target angle within ~8 degrees of 0 or pi), Infinity (within ~0.8 degrees:
 * one float32 ulp of the cosine moves theta by percents, so only finiteness can be checked).
 */
function conditioning(x: Float32Array, w: Float32Array, labels: Int32Array, dim: number, K: number, active?: Int32Array): number {
  const dot = (a: Float32Array, i: number, b: Float32Array, j: number) => {
    let t = 0;
    for (let c = 0; c < dim; c++) t += a[i * dim + c]! * b[j * dim + c]!;
    return t;
  };
  return Math.max(1, ...Array.from(labels, (label, i) => {
    if (label < 0) return 1;
    const nx = Math.sqrt(dot(x, i, x, i));
    if (nx < 0.1) return 50;
    const cls = active ? active[label]! : label;
    let best = -Infinity;
    for (let k = 0; k < K; k++) {
      const j = cls * K + k, nw = Math.sqrt(dot(w, j, w, j));
      best = Math.max(best, nw === 0 ? 0 : dot(x, i, w, j) / (nx * nw));
    }
    return Math.abs(best) > 0.9999 ? Infinity : Math.abs(best) > 0.99 ? 50 : 1;
  }));
}

function marginCall(r: Rand, asyncForm: boolean, valid: boolean): Call {
  // dim 1 leaves every angle 0 or pi, where d cos(m1 theta + m2) / d cos(theta) is singular:
  // float32 and float64 then disagree arbitrarily, so the fuzz starts at 2.
  const dim = int(r, 2, 12), classes = int(r, 1, 8), K = int(r, 1, 3), batch = int(r, 1, 6);
  const x = rows(r, batch, dim, false), w = rows(r, classes * K, dim, false);
  const active = r() < 0.3 ? Int32Array.from([...Array(classes).keys()].filter(() => r() < 0.7)) : undefined;
  const nCls = active ? active.length : classes;
  const labels = Int32Array.from({ length: batch }, () => (nCls === 0 || r() < 0.15 ? -1 : int(r, 0, nCls - 1)));
  const p = { s: 1 + r() * 63, m1: 0.9 + r() * 0.2, m2: r() * 0.6, m3: r() * 0.4 };
  const args = { x: x as unknown, w: w as unknown, labels: labels as unknown, options: { dim, classes, subcenters: K, ...p, threads: int(r, 1, 3) } as Record<string, unknown> };
  if (active) args.options.activeClasses = active;
  let invalid: string | undefined;
  if (!valid || (active && active.length === 0)) {
    invalid = active && active.length === 0 ? 'options.activeClasses' : breakOne(r, args, [
      ['x', (a, rr) => (a.x = pick(rr, [new Float64Array(dim), 'x', ...(dim > 1 ? [new Float32Array(dim * batch + 1)] : [])]))],
      ['w', (a) => (a.w = new Float32Array(classes * K * dim + 1))],
      ['labels', (a, rr) => (a.labels = pick(rr, [Float32Array.from(labels), new Int32Array(batch + 1), Int32Array.from(labels, () => nCls), Int32Array.from(labels, () => -2)]))],
      ['options.dim', (a, rr) => (a.options.dim = pick(rr, badInteger))],
      ['options.classes', (a, rr) => (a.options.classes = pick(rr, badInteger))],
      ['options.s', (a, rr) => (a.options.s = pick(rr, [0, -1, NaN, '64']))],
      ['options.m2', (a, rr) => (a.options.m2 = pick(rr, [-0.1, 3.2, Infinity]))],
      ['options.activeClasses', (a, rr) => (a.options.activeClasses = pick(rr, [[0], Int32Array.of(0, 0), Int32Array.of(classes), new Int32Array(0)]))],
      ['options.threads', (a, rr) => (a.options.threads = pick(rr, badThreads))],
    ]);
  }
  return {
    label: asyncForm ? 'marginSoftmaxLossAsync' : 'marginSoftmaxLoss', invalid,
    async run() {
      const f = asyncForm ? lib.marginSoftmaxLossAsync : lib.marginSoftmaxLoss;
      const got = await f(args.x as Float32Array, args.w as Float32Array, args.labels as Int32Array, args.options as unknown as lib.MarginSoftmaxOptions);
      const want = refMarginSoftmax(x, w, labels, dim, classes, K, p, active);
      
      check(got.counted === labels.filter((l) => l >= 0).length, `counted ${got.counted}`);
      // float32 logits (s * cos up to 64) carry ~1e-5 absolute error: gradients near 0 (one class,
      // a confident row) are compared absolutely, on the scale of s. The gradient divides by |x| and by sin(theta)
      // of the target: a short row or a target angle near 0 or pi magnifies that error, so those
      // problems get a looser bound (still far below what a wrong formula gives).
      const loose = conditioning(x, w, labels, dim, K, active);
      check([got.loss, ...got.gradX, ...got.gradW].every(Number.isFinite), 'a non-finite loss or gradient');
      check(Math.abs(got.loss - want.loss) <= loose * 1e-4 * Math.max(1, want.loss), `loss ${got.loss} vs ${want.loss}`);
      for (const [name, g, ref] of [['gradX', got.gradX, want.gradX], ['gradW', got.gradW, want.gradW]] as const) {
        const e = relativeError(g, ref) * Math.max(1e-30, ...Array.from(ref, Math.abs));
        check(e <= loose * 1e-3 * Math.max(p.s / 64, ...Array.from(ref, Math.abs)), `${name} off by ${e}`);
      }
    },
  };
}

// --- FaceIndex (in memory) and crc32c ------------------------------------------------------

function indexCall(r: Rand, valid: boolean): Call {
  const dim = pick(r, [1, 3, 8, 32]), n = int(r, 0, 30), nq = int(r, 0, 4), k = int(r, 1, 35);
  const metric: RefMetric = pick(r, ['cosine', 'dot']);
  const vectors = rows(r, n, dim, true), queries = rows(r, nq, dim, true);
  const removed = new Set(Array.from({ length: n }, (_, i) => i).filter(() => r() < 0.2));
  const args = { ids: Array.from({ length: n }, (_, i) => `id${i}`) as unknown, vectors: vectors as unknown, queries: queries as unknown, k: k as unknown, options: {} as Record<string, unknown> };
  const invalid = valid ? undefined : breakOne(r, args, [
    ['ids', (a, rr) => (a.ids = pick(rr, ['id', [1, 2], n > 1 ? [...(a.ids as string[]).slice(1), 'id1'] : 'x']))],
    ['vectors', (a) => (a.vectors = new Float32Array(n * dim + 1))],
    ['queries', (a, rr) => (a.queries = pick(rr, [[0.5], ...(dim > 1 ? [new Float32Array(nq * dim + 1)] : [])]))],
    ['k', (a, rr) => (a.k = pick(rr, badInteger))],
    ['options.minScore', (a, rr) => (a.options.minScore = pick(rr, [NaN, '0.5']))],
    ['options.threads', (a, rr) => (a.options.threads = pick(rr, badThreads))],
  ]);
  return {
    label: 'FaceIndex', invalid,
    async run() {
      const index = new lib.FaceIndex({ dim, metric });
      await index.add(args.ids as string[], args.vectors as Float32Array);
      await index.remove([...removed].map((i) => `id${i}`));
      const hits = await index.search(args.queries as Float32Array, args.k as number, args.options);
      const live = [...Array(n).keys()].filter((i) => !removed.has(i));
      const g = new Float32Array(live.length * dim);
      live.forEach((s, j) => g.set(vectors.subarray(s * dim, (s + 1) * dim), j * dim));
      const ref = refTopK(queries, g, dim, k, metric);
      check(hits.length === nq, `queries ${hits.length} vs ${nq}`);
      hits.forEach((h, i) => {
        check(h.length === (live.length === 0 ? 0 : ref.k), `query ${i}: ${h.length} hits`);
        // Small integers: exact scores; metric cosine divides, so compare scores only.
        h.forEach((hit, t) => {
          check(Math.abs(hit.score - ref.scores[i]![t]!) <= 1e-5, `query ${i} rank ${t}: ${hit.score} vs ${ref.scores[i]![t]}`);
          if (metric === 'dot') check(hit.id === `id${live[ref.indices[i]![t]!]}`, `query ${i} rank ${t}: ${hit.id}`);
        });
      });
    },
  };
}

const crc32cReference = crc32Reference(0x82f63b78);

function crcCall(r: Rand, valid: boolean): Call {
  const bytes = new Uint8Array(int(r, 0, r() < 0.1 ? 5000 : 70));
  for (let i = 0; i < bytes.length; i++) bytes[i] = int(r, 0, 255);
  let input: unknown = bytes.subarray(int(r, 0, Math.min(3, bytes.length)));
  const invalid = valid ? undefined : 'bytes';
  if (invalid) input = pick(r, ['abc', null, new Uint16Array(3), [1, 2]]);
  return {
    label: 'crc32c', invalid,
    async run() {
      const got = crc32c(input as Uint8Array);
      check(got === crc32cReference(input as Uint8Array), `crc ${got}`);
    },
  };
}

/** Call i of seed `seed`: about one in three breaks one argument. */
export function makeCall(seed: number, i: number): Call {
  const r = rng((seed * 2654435761 + i * 40503 + 1) >>> 0);
  const valid = r() >= 0.35;
  const kind = int(r, 0, 11);
  switch (kind) {
    case 0: case 1: return scoreCall(r, false, kind === 1, valid);
    case 2: case 3: return scoreCall(r, true, kind === 3, valid);
    case 4: case 5: return warpCall(r, kind === 5, valid);
    case 6: case 7: return marginCall(r, kind === 7, valid);
    case 8: return alignCall(r, r() < 0.5, valid);
    case 9: case 10: return indexCall(r, valid);
    default: return crcCall(r, valid);
  }
}

/** Runs call i; undefined if it behaved, else what went wrong. */
export async function runCall(seed: number, i: number): Promise<string | undefined> {
  const call = makeCall(seed, i);
  const tag = `call ${i} (seed ${seed}) ${call.label}${call.invalid ? ` with a bad ${call.invalid}` : ''}`;
  try {
    await call.run();
  } catch (e) {
    const err = e as Error;
    if (!call.invalid) return `${tag}: ${err.message}`;
    if (!(err instanceof TypeError || err instanceof RangeError)) return `${tag}: threw ${err.name}: ${err.message}`;
    // The native layer may name an option without its 'options.' path: 'activeClasses: ...'.
    const names = [call.invalid, call.invalid.replace(/^options\./, '')];
    if (!names.some((n) => err.message.startsWith(n))) return `${tag}: message does not start with '${call.invalid}': ${err.message}`;
    return undefined;
  }
  return call.invalid ? `${tag}: did not throw` : undefined;
}
