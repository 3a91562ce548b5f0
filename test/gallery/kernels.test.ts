// The gallery kernels (through core/gallery.ts) against plain references, under every ISA this
// CPU runs: float16 conversion (bit-exact), int8/int16 quantisation (exact), and search over
// each storage (scores to float32 rounding, ranking exact, ties to the lower slot, minScore).
import { describe, expect, it } from 'vitest';
import { setIsa, getIsa } from '../../src/core/cpu.js';
import { decodeRows, encodeRows, encodeRowsAsync, searchRowLabels, searchRows, storedArray } from '../../src/core/gallery.js';
import { supportedIsas } from '../helpers/isa.js';
import { integerRows, randomRows } from '../helpers/random.js';
import { dot64, halfBits, halfValue, i16QueryMax, normaliseRows, quantise } from './reference.js';

const DIMS = [1, 3, 15, 16, 17, 31, 32, 33, 100, 512, 513];
type StorageName = 'f32' | 'f16' | 'i8';

async function eachIsa(body: (isa: string) => Promise<void> | void): Promise<void> {
  const saved = getIsa();
  try {
    for (const isa of supportedIsas()) {
      setIsa(isa);
      await body(isa);
    }
  } finally {
    setIsa(saved);
  }
}

function encode(x: Float32Array, dim: number, storage: StorageName, normalise: boolean) {
  const n = x.length / dim;
  const data = storedArray(storage, n * dim);
  const scales = new Float32Array(storage === 'i8' ? n : 0);
  encodeRows(x, dim, storage, normalise, data, scales);
  return { data, scales };
}

describe('float16 storage conversion', () => {
  it('decodes every binary16 pattern exactly and re-encodes it to the same bits', async () => {
    const finite = Uint16Array.from({ length: 65536 }, (_, i) => i).filter((h) => ((h >> 10) & 0x1f) !== 31);
    await eachIsa((isa) => {
      const dec = new Float32Array(finite.length);
      decodeRows({ storage: 'f16', dim: 1, data: finite, scales: new Float32Array(0) }, 0, finite.length, dec);
      expect(Array.from(dec), isa).toEqual(Array.from(finite, halfBits));
      const back = encode(dec, 1, 'f16', false).data as Uint16Array;
      expect(Array.from(back), isa).toEqual(Array.from(finite));
    });
  });

  it('rounds float32 to the nearest half, ties to even, at every tail length', async () => {
    const x = randomRows(1, 4099, 5).map((v, i) => v * 2 ** ((i % 40) - 26));
    x[7] = 65519; x[8] = 65520; x[9] = -70000; x[10] = 2 ** -25; x[11] = 3 * 2 ** -26; x[12] = 1 + 2 ** -11; // ties and edges
    await eachIsa((isa) => {
      for (const len of [1, 7, 8, 9, 15, 16, 17, 4099]) {
        const { data } = encode(x.subarray(0, len), len, 'f16', false);
        expect(Array.from(data.subarray(0, len), halfBits), isa).toEqual(Array.from(x.subarray(0, len), halfValue));
      }
    });
  });
});

describe('int8 storage quantisation', () => {
  it('matches the symmetric per-vector reference exactly (zero rows get scale 0)', () => {
    for (const dim of DIMS) {
      const x = randomRows(5, dim, dim);
      x.fill(0, dim, 2 * dim);
      for (const normalise of [false, true]) {
        const { data, scales } = encode(x, dim, 'i8', normalise);
        const want = quantise(normalise ? normaliseRows(x, dim) : x, dim, 127);
        expect(Array.from(data), `dim=${dim}`).toEqual(want.codes);
        expect(Array.from(scales)).toEqual(want.scales);
      }
    }
  });

  it('rejects non-finite vectors naming the place', () => {
    const x = new Float32Array(6);
    x[4] = NaN;
    expect(() => encode(x, 3, 'i8', false)).toThrow(/vectors: expected finite values, got NaN at index 4 \(row 1, column 1\)/);
  });

  it('encodes on a worker thread to the same bytes, and rejects there too', async () => {
    const x = randomRows(300, 17, 4);
    for (const storage of ['f32', 'f16', 'i8'] as const) {
      const want = encode(x, 17, storage, true);
      const data = storedArray(storage, x.length), scales = new Float32Array(storage === 'i8' ? 300 : 0);
      await encodeRowsAsync(x, 17, storage, true, data, scales);
      expect(Array.from(data)).toEqual(Array.from(want.data));
      expect(Array.from(scales)).toEqual(Array.from(want.scales));
    }
    x[17 * 299] = Infinity;
    await expect(encodeRowsAsync(x, 17, 'f32', false, new Float32Array(x.length), new Float32Array(0))).rejects.toThrow(/row 299, column 0/);
  });

  it('checks every size and kind by name', () => {
    expect(() => encodeRows(new Float32Array(6), 4, 'f32', false, new Float32Array(6), new Float32Array(0))).toThrow(/vectors: expected a length that is a multiple of dim \(4\), got 6/);
    expect(() => encodeRows(new Float32Array(6), 3, 'f16', false, new Float32Array(6), new Float32Array(0))).toThrow(TypeError);
    expect(() => encodeRows(new Float32Array(6), 3, 'i8', false, new Int8Array(6), new Float32Array(1))).toThrow(/outScales: expected at least 2 elements, got 1/);
    expect(() => decodeRows({ storage: 'f32', dim: 3, data: new Float32Array(6), scales: new Float32Array(0) }, 1, 2)).toThrow(/data: expected at least 9 elements, got 6/);
  });

  it('search checks its named options before the kernel runs', async () => {
    const rows = { storage: 'i8' as const, dim: 2, n: 3, data: new Int8Array(6), scales: new Float32Array(3) };
    const opts = { metric: 'cosine' as const, mask: null, threads: 1 };
    await expect(searchRows(new Float32Array(2), rows, 1, { ...opts, mask: new Uint8Array(2) })).rejects.toThrow(/mask: expected at least 3 elements, got 2/);
    await expect(searchRows(new Float32Array(2), { ...rows, scales: new Float32Array(1) }, 1, opts)).rejects.toThrow(/scales: expected at least 3 elements, got 1/);
    await expect(searchRows(new Float32Array(3), rows, 1, opts)).rejects.toThrow(/queries: expected a length that is a multiple of dim \(2\), got 3/);
    await expect(searchRows(new Float32Array(2), { ...rows, data: new Uint16Array(6) }, 1, opts)).rejects.toThrow(TypeError);
    await expect(searchRowLabels(new Float32Array(2), rows, new Int32Array([0, 1, 2]), 2, 'max', 1, opts)).rejects.toThrow(/labels: expected values in \[0, 2\), got 2 at index 2/);
    await expect(searchRows(new Float32Array(2), rows, 1, { ...opts, minScore: NaN })).rejects.toThrow(RangeError);
  });
});

/** Reference scores of each query against the stored rows, replaying the kernel's quantisation. */
function refScores(q: Float32Array, stored: ReturnType<typeof encode>, dim: number, storage: StorageName, cosine: boolean) {
  const n = stored.data.length / dim, nq = q.length / dim;
  const qf = cosine ? normaliseRows(q, dim) : q;
  const out: number[][] = [];
  if (storage === 'i8') {
    const qq = quantise(qf, dim, i16QueryMax(dim));
    for (let i = 0; i < nq; i++) {
      out.push(Array.from({ length: n }, (_, j) => {
        const s = dot64(qq.codes, i, stored.data, j, dim) * Math.fround(qq.scales[i] * stored.scales[j]);
        return cosine ? Math.max(-1, Math.min(1, s)) : s;
      }));
    }
    return out;
  }
  const g = storage === 'f16' ? Array.from(stored.data, (h) => halfBits(h)) : stored.data;
  for (let i = 0; i < nq; i++) {
    out.push(Array.from({ length: n }, (_, j) => {
      const s = dot64(qf, i, g, j, dim);
      return cosine ? Math.max(-1, Math.min(1, s)) : s;
    }));
  }
  return out;
}

describe('search over stored rows', () => {
  for (const storage of ['f32', 'f16', 'i8'] as const) {
    it(`${storage}: top-k equals the reference (scores, order, masked rows, ties to the lower slot)`, async () => {
      await eachIsa(async (isa) => {
        for (const dim of [1, 3, 16, 17, 33, 64, 513]) {
          for (const [nq, n, k] of [[1, 1, 1], [3, 5, 10], [2, 50, 1], [5, 300, 7], [65, 40, 40], [2, 400, 150]]) {
            for (const cosine of [true, false]) {
              const g = (cosine ? randomRows : integerRows)(n, dim, dim * 7 + n);
              if (n > 3) g.copyWithin((n - 1) * dim, 0, dim);  // a duplicate of row 0: an exact tie
              const q = randomRows(nq, dim, dim + nq);
              const stored = encode(g, dim, storage, cosine);
              const mask = new Uint8Array(n).map((_, j) => (j % 5 === 3 ? 0 : 1));
              const kk = Math.min(k, n);
              const { index, scores } = await searchRows(q, { storage, dim, n, ...stored }, k, { metric: cosine ? 'cosine' : 'dot', mask, threads: 2 });
              const ref = refScores(q, stored, dim, storage, cosine);
              const tag = `${isa} ${storage} dim=${dim} nq=${nq} n=${n} k=${k} cosine=${cosine}`;
              const problems: string[] = [];
              for (let i = 0; i < nq; i++) {
                const cand = ref[i].map((s, j) => ({ s, j })).filter(({ j }) => mask[j]);
                cand.sort((a, b) => b.s - a.s || a.j - b.j);
                for (let r = 0; r < kk; r++) {
                  const got = index[i * kk + r], score = scores[i * kk + r];
                  if (r >= cand.length) {
                    if (got !== -1 || score !== -Infinity) problems.push(`q${i} r${r}: ${got}/${score}, expected -1/-Infinity`);
                    continue;
                  }
                  const want = cand[r];
                  const tol = 1e-5 * Math.max(1, Math.abs(want.s)) * (cosine ? 1 : dim);
                  if (Math.abs(score - want.s) > tol) problems.push(`q${i} r${r}: score ${score}, expected ${want.s}`);
                  // The index must be the reference's unless the two scores are within rounding.
                  if (got !== want.j && !(Math.abs(ref[i][got] - want.s) <= tol)) problems.push(`q${i} r${r}: row ${got}, expected ${want.j}`);
                }
                // The planted duplicate scores exactly like row 0, so row 0 comes first.
                const r0 = Array.from(index.subarray(i * kk, (i + 1) * kk));
                if (n > 3 && r0.includes(n - 1) && !(r0.indexOf(0) >= 0 && r0.indexOf(0) < r0.indexOf(n - 1))) problems.push(`q${i}: tie not to the lower row`);
              }
              expect(problems, tag).toEqual([]);
            }
          }
        }
      });
    });
  }

  it('label aggregation (max and mean) equals the reference over candidate faces', async () => {
    await eachIsa(async (isa) => {
      for (const storage of ['f32', 'f16', 'i8'] as const) {
        const dim = 33, n = 200, nq = 3, nLabels = 17;
        const g = randomRows(n, dim, 9), q = randomRows(nq, dim, 10);
        const labels = new Int32Array(n).map((_, j) => (j * 7) % (nLabels - 1));  // the last label has no faces
        const mask = new Uint8Array(n).map((_, j) => (j % 9 === 0 ? 0 : 1));
        const stored = encode(g, dim, storage, true);
        const ref = refScores(q, stored, dim, storage, true);
        for (const agg of ['max', 'mean'] as const) {
          const k = 20, kk = Math.min(k, nLabels);
          const { index: out, scores } = await searchRowLabels(q, { storage, dim, n, ...stored }, labels, nLabels, agg, k,
            { metric: 'cosine', mask, threads: 2 });
          for (let i = 0; i < nq; i++) {
            const per = new Map<number, number[]>();
            for (let j = 0; j < n; j++) if (mask[j]) per.set(labels[j], [...(per.get(labels[j]) ?? []), ref[i][j]]);
            const want = [...per].map(([l, s]) => ({ l, s: agg === 'max' ? Math.max(...s) : s.reduce((a, b) => a + b) / s.length }));
            want.sort((a, b) => b.s - a.s || a.l - b.l);
            for (let r = 0; r < kk; r++) {
              if (r >= want.length) {
                expect(out[i * kk + r]).toBe(-1);
                continue;
              }
              expect(Math.abs(scores[i * kk + r] - want[r].s), `${isa} ${storage} ${agg}`).toBeLessThan(1e-5);
            }
          }
        }
      }
    });
  });

  it('minScore: exactly the candidates scoring >= it, best first, for every handler (k = 1, small, large)', async () => {
    await eachIsa(async (isa) => {
      for (const storage of ['f32', 'f16'] as const) {  // small integers: exact scores in both
        const dim = 19, n = 700, nq = 4;
        const g = integerRows(n, dim, 21), q = integerRows(nq, dim, 22);
        g.copyWithin(5 * dim, 0, dim);  // row 5 ties row 0
        const stored = encode(g, dim, storage, false);
        const ref = refScores(q, stored, dim, storage, false);
        const mask = new Uint8Array(n).map((_, j) => (j % 11 === 4 ? 0 : 1));
        for (const k of [1, 6, 120, 1000]) {
          for (const minScore of [-Infinity, 3, 12]) {
            const { index, scores, k: kk } = await searchRows(q, { storage, dim, n, ...stored }, k, { metric: 'dot', mask, minScore, threads: 3 });
            for (let i = 0; i < nq; i++) {
              const want = ref[i].map((s, j) => ({ s, j })).filter(({ s, j }) => mask[j] && s >= minScore);
              want.sort((a, b) => b.s - a.s || a.j - b.j);
              const got = Array.from(index.subarray(i * kk, (i + 1) * kk));
              const expected = Array.from({ length: kk }, (_, r) => (r < want.length ? want[r].j : -1));
              expect(got, `${isa} ${storage} k=${k} minScore=${minScore} q${i}`).toEqual(expected);
              for (let r = 0; r < kk; r++) expect(scores[i * kk + r]).toBe(r < want.length ? want[r].s : -Infinity);
            }
          }
        }
      }
    });
  });
});
