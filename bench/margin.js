// Margin softmax (ArcFace) forward + backward at B = 256, d = 512 against:
//   - the matrix products it needs, run alone by the same kernels with the same tiling
//     (3 products: X.W^T, G.W, G^T.X; and 4: X.W^T twice, as the two-pass kernel does), and
//   - @tensorflow/tfjs computing the same loss and both gradients with tf.grads (C = 10k).
// fwd+bwd and the GEMM probes take turns call by call (interleaved rounds, rotating order), so
// load on a shared machine hits them alike; ratios are of medians (and of minimums).
// Run (after `npm run build`): node bench/margin.js [C ...]   e.g. node bench/margin.js 10000 100000
// FACECORE_BENCH_TFJS=0 skips tfjs (minutes per call at C = 10k); FACECORE_BENCH_THREADS=n.
// FACECORE_BENCH_K3_1M=1 adds C = 1M, K = 3 at rate 1 (W and its gradient: 12 GB).
import os from 'node:os';
import { Bench } from 'tinybench';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { marginSoftmaxLoss, sampleClasses, defaultThreads } from '../dist/index.js';
import { native } from '../dist/native.js';

const B = 256, d = 512, s = 64, m1 = 1, m2 = 0.5, m3 = 0;
const threads = Number(process.env.FACECORE_BENCH_THREADS ?? defaultThreads());
const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [10_000, 100_000, 1_000_000];

function fill(n, seed) {
  const out = new Float32Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = a / 4294967296 - 0.5;
  }
  return out;
}

// Seconds per call: a warm-up call, then enough calls for about `budget` ms (at least 2).
async function measure(name, fn, budget = 3000, minIterations = 2) {
  const t0 = performance.now();
  await fn();
  const once = performance.now() - t0;
  const iterations = Math.max(minIterations, Math.min(20, Math.round(budget / Math.max(once, 1))));
  const bench = new Bench({ name, time: 0, iterations, warmup: false });
  bench.add(name, fn);
  await bench.run();
  const r = bench.tasks[0].result;
  return { mean: r.latency.mean, min: r.latency.min, iterations };
}

function tfjsLossAndGrads(C, K, labels) {
  const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), C);
  const loss = (x, w) => {
    const xn = tf.div(x, tf.norm(x, 2, 1, true));
    const wn = tf.div(w, tf.norm(w, 2, 1, true));
    let cos = tf.matMul(xn, wn, false, true);
    if (K > 1) cos = tf.max(tf.reshape(cos, [B, C, K]), 2);
    cos = tf.clipByValue(cos, -1, 1);
    const t = tf.sum(tf.mul(cos, onehot), 1);
    const theta = tf.acos(t);
    const fallback = tf.sub(t, Math.sin(Math.PI - m2) * m2 + m3);
    // The branch mask through tf.step (zero gradient): tf.where's condition has no gradient op.
    const past = tf.step(tf.sub(tf.add(tf.mul(theta, m1), m2), Math.PI));
    const margin = tf.sub(tf.cos(tf.add(tf.mul(theta, m1), m2)), m3);
    const target = tf.add(tf.mul(past, fallback), tf.mul(tf.sub(1, past), margin));
    const logits = tf.mul(tf.add(cos, tf.mul(onehot, tf.expandDims(tf.sub(target, t), 1))), s);
    return tf.losses.softmaxCrossEntropy(onehot, logits);
  };
  return tf.grads(loss);
}

// Per function, ms of every call: `rounds` rounds after one warm-up round, each function once per
// round, the starting function rotating. Also the process's CPU ms per call (all threads): on a
// shared machine, time spent waiting for a core shows in the wall time, not in the CPU time.
function interleaved(fns, rounds) {
  const times = fns.map(() => []), cpu = fns.map(() => []);
  for (let r = 0; r <= rounds; r++) {
    for (let j = 0; j < fns.length; j++) {
      const k = (j + r) % fns.length;
      const c0 = process.cpuUsage(), t0 = performance.now();
      fns[k]();
      const t = performance.now() - t0, c = process.cpuUsage(c0);
      if (r > 0) times[k].push(t), cpu[k].push((c.user + c.system) / 1000);
    }
  }
  return { times, cpu };
}
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];

const rows = [];
const gemmPeak = native.measureFmaPeak ? native.measureFmaPeak(threads, 0.5) : NaN;
const x = fill(B * d, 1);
const gradX = new Float32Array(B * d);

for (const C of sizes) {
  for (const K of [1, 3]) {
    if (C >= 1_000_000 && K === 3 && !process.env.FACECORE_BENCH_K3_1M) {
      rows.push({ C, K, note: 'rate 1 skipped (12 GB of W + gradient on a shared machine); rate 0.1 below' });
    }
    const w = fill(C * K * d, 2 + K);
    const labels = Int32Array.from({ length: B }, (_, i) => (i * 7919) % C);
    for (const rate of [1, 0.1]) {
      if (rate === 1 && C >= 1_000_000 && K === 3 && !process.env.FACECORE_BENCH_K3_1M) continue;
      const sampled = sampleClasses(labels, C, rate, 42);
      const active = rate < 1 ? sampled.activeClasses : undefined;
      const nCls = active ? active.length : C;
      const gradW = new Float32Array(nCls * K * d);
      const opts = { dim: d, classes: C, subcenters: K, s, m1, m2, m3, activeClasses: active, threads, out: { gradX, gradW } };
      const y = rate < 1 ? sampled.labels : labels;
      const minIterations = C >= 1_000_000 ? 1 : 2; // ~10-30 s per call at 1M on 2 cores
      const run = () => marginSoftmaxLoss(x, w, y, opts);
      const row = { C, K, rate, classes: nCls };
      let ours;
      if (rate === 1) {
        const rounds = C >= 1_000_000 ? 1 : C >= 100_000 ? 3 : 9;
        const { times: [t, t3, t4], cpu: [c, c3, c4] } = interleaved([
          run,
          () => native.marginGemmsProbe({ x, w, dim: d, classes: C, subcenters: K, recompute: false, gradX, gradW, threads }),
          () => native.marginGemmsProbe({ x, w, dim: d, classes: C, subcenters: K, recompute: true, gradX, gradW, threads }),
        ], rounds);
        ours = { mean: median(t), min: Math.min(...t), iterations: rounds };
        const g3 = median(t3), g4 = median(t4);
        Object.assign(row, {
          gemm3Ms: g3, gemm4Ms: g4, vsGemm3: ours.mean / g3, vsGemm4: ours.mean / g4,
          vsGemm3Min: ours.min / Math.min(...t3), gemmGflops: (3 * 2 * B * d * C * K) / (g3 * 1e6),
          cpuMs: median(c), cpuVsGemm3: median(c) / median(c3), cpuVsGemm4: median(c) / median(c4),
        });
      } else {
        ours = await measure('margin', run, 3000, minIterations);
      }
      Object.assign(row, { ms: ours.mean, minMs: ours.min, iterations: ours.iterations });
      if (rate === 1) {
        if (C <= 10_000 && K === 1 && process.env.FACECORE_BENCH_TFJS !== '0') { // tfjs takes ~15-50 s per call here: one size, one timed call per backend
          for (const backend of ['cpu', 'wasm']) {
            await tf.setBackend(backend);
            const grads = tfjsLossAndGrads(C, K, labels);
            const xt = tf.tensor2d(x, [B, d]), wt = tf.tensor2d(w, [C * K, d]);
            const peer = await measure(`tfjs-${backend}`, async () => {
              const g = grads([xt, wt]);
              await Promise.all(g.map((t) => t.data()));
              g.forEach((t) => t.dispose());
            }, 0, 1);
            xt.dispose();
            wt.dispose();
            row[`tfjs_${backend}_ms`] = peer.mean;
            row[`speedup_vs_tfjs_${backend}`] = peer.mean / ours.mean;
          }
        }
      }
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
}

console.log(`\n${os.cpus()[0]?.model ?? 'cpu'}; ${threads} threads; FMA peak probe ${(gemmPeak / 1e9).toFixed(0)} GFLOP/s; ISA ${native.getIsa()}`);
console.table(rows.map((r) => ({
  C: r.C, K: r.K, rate: r.rate, 'fwd+bwd ms': r.ms?.toFixed(1), '3 GEMMs ms': r.gemm3Ms?.toFixed(1), 'x 3': r.vsGemm3?.toFixed(2),
  'x 3 (min)': r.vsGemm3Min?.toFixed(2), 'CPU x 3': r.cpuVsGemm3?.toFixed(2), 'CPU x 4': r.cpuVsGemm4?.toFixed(2),
  '4 GEMMs ms': r.gemm4Ms?.toFixed(1), 'x 4': r.vsGemm4?.toFixed(2), 'GEMM GFLOP/s': r.gemmGflops?.toFixed(0),
  'tfjs cpu ms': r.tfjs_cpu_ms?.toFixed(0), 'x faster': r.speedup_vs_tfjs_cpu?.toFixed(0),
  'tfjs wasm ms': r.tfjs_wasm_ms?.toFixed(0), 'x faster ': r.speedup_vs_tfjs_wasm?.toFixed(0), note: r.note,
})));
