// Benchmark of the tfjs -> ONNX converter: conversion time of every face model, inference of the
// converted model on onnxruntime-node against the original on @tensorflow/tfjs (cpu and wasm
// backends), batch 1 and 32, and the converter's layouts against each other.
//
// Run: npx tsc -p tsconfig.build.json && node bench/convert.js [--quick] [model ...]
// Prints Markdown tables (the figures in bench/results/convert.md come from it).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Bench } from 'tinybench';
import { convertTfjsGraph, FACE_MODEL_NAMES, humanModelJsonPath } from '../dist/models/convert/index.js'; // the converter alone: no native addon needed

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const sectionArg = args.find((a) => a.startsWith('--section='));
/** Sections to run: convert, inference, layout (default all). */
const sections = new Set(sectionArg ? sectionArg.slice('--section='.length).split(',') : ['convert', 'inference', 'layout']);
const only = args.filter((a) => !a.startsWith('--'));
const inferenceModels = only.length > 0 ? only : ['blazeface', 'mobilefacenet', 'mobileface', 'faceres', 'facemesh', 'iris', 'antispoof', 'liveness', 'emotion'];
/** Models exported with batch 1 baked in: converted with dynamicBatch, run by tfjs image by image. */
const fixedBatch = new Set(['blazeface', 'blazeface-back', 'blazeface-front']);
/** tfjs-cpu runs longer than this (estimated from batch 1) are extrapolated, not measured. */
const maxMeasuredMs = quick ? 3000 : 20000;

const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

/** Median latency (ms) of an async function: one warm-up call, then at least `iterations` runs and `time` ms. */
async function measure(fn, { time = quick ? 200 : 1000, iterations = quick ? 3 : 10, warmup = 1 } = {}) {
  const bench = new Bench({ time, iterations, warmupIterations: warmup, warmupTime: 0, throws: true });
  bench.add('x', fn);
  await bench.run();
  return bench.tasks[0].result.latency.p50;
}

function inputSpec(name) {
  const json = JSON.parse(readFileSync(humanModelJsonPath(name), 'utf8'));
  const node = json.modelTopology.node.find((n) => n.op === 'Placeholder');
  const shape = node.attr.shape.shape.dim.map((d) => Math.max(1, Number(d.size)));
  const sigKey = json.signature?.inputs ? Object.keys(json.signature.inputs)[0] : node.name;
  return { node: node.name, onnxName: sigKey, shape, json };
}

function randomInput(n) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random();
  return a;
}

async function loadTfjs(name) {
  const file = humanModelJsonPath(name);
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const shards = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(path.join(path.dirname(file), p))));
  const w = Buffer.concat(shards);
  return tf.loadGraphModel({
    load: async () => ({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength), format: 'graph-model', signature: json.signature }),
  });
}

console.log(`# facecore tfjs -> ONNX converter benchmark\n`);
console.log(`${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}, onnxruntime-node ${ort.env.versions?.common ?? ''}, tfjs ${tf.version.tfjs}; load average at start ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);

// --- Conversion time --------------------------------------------------------------------
if (sections.has('convert')) {
console.log('## Conversion time (model.json + shards -> ONNX bytes, in memory)\n');
console.log('| model | source bytes | ONNX bytes | convert ms |');
console.log('|---|---:|---:|---:|');
let total = 0;
for (const name of FACE_MODEL_NAMES) {
  const file = humanModelJsonPath(name);
  const t0 = performance.now();
  const bytes = await convertTfjsGraph(file);
  const ms = performance.now() - t0;
  total += ms;
  const src = readFileSync(file).length + readFileSync(file.replace(/\.json$/, '.bin')).length;
  console.log(`| ${name} | ${src} | ${bytes.length} | ${fmt(ms)} |`);
}
console.log(`| **all ${FACE_MODEL_NAMES.length}** | | | **${fmt(total)}** |\n`);
}

// --- Inference --------------------------------------------------------------------------
async function onnxSession(name, options, threads) {
  const bytes = await convertTfjsGraph(humanModelJsonPath(name), options);
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
}

async function onnxTime(session, inputName, shape, nchwInput = false) {
  const data = randomInput(shape.reduce((a, b) => a * b, 1));
  const dims = nchwInput ? [shape[0], shape[3], shape[1], shape[2]] : shape;
  const feed = { [inputName]: new ort.Tensor('float32', data, dims) };
  return measure(() => session.run(feed));
}

async function tfjsTime(model, nodeName, shape) {
  const x = tf.tensor(randomInput(shape.reduce((a, b) => a * b, 1)), shape);
  const ms = await measure(async () => {
    const out = model.execute({ [nodeName]: x });
    const list = Array.isArray(out) ? out : [out];
    await Promise.all(list.map((t) => t.data()));
    tf.dispose(list);
  }, { time: quick ? 100 : 500, iterations: quick ? 2 : 5, warmup: 2 }); // tfjs's first calls set up kernels
  x.dispose();
  return ms;
}

if (sections.has('inference')) {
console.log('## Inference: converted model on onnxruntime-node vs the original on tfjs\n');
console.log('Median ms per call. ORT 1t / 2t: one / two intra-op threads. tfjs-wasm uses SIMD, one thread (no multi-thread support in Node).');
console.log('"~" = extrapolated from batch 1 (x32) because a measured run would take too long; "32x1" = the model is fixed at batch 1 in tfjs, so its time is 32 batch-1 calls.\n');
console.log('| model | batch | ORT 1t | ORT 2t | tfjs-cpu | tfjs-wasm | wasm / ORT 1t | wasm / ORT 2t |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const name of inferenceModels) {
  const spec = inputSpec(name);
  const dyn = fixedBatch.has(name);
  const s1 = await onnxSession(name, { dynamicBatch: dyn }, 1);
  const s2 = await onnxSession(name, { dynamicBatch: dyn }, 2);
  const tfCpu = {};
  const tfWasm = {};
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    await tf.ready();
    const model = await loadTfjs(name);
    const store = backend === 'cpu' ? tfCpu : tfWasm;
    store[1] = await tfjsTime(model, spec.node, spec.shape);
    if (dyn) store[32] = { ms: store[1] * 32, note: '32x1' };
    else if (store[1] * 32 > maxMeasuredMs) store[32] = { ms: store[1] * 32, note: '~' };
    else store[32] = { ms: await tfjsTime(model, spec.node, [32, ...spec.shape.slice(1)]) };
    model.dispose();
  }
  for (const batch of [1, 32]) {
    const shape = [batch, ...spec.shape.slice(1)];
    const o1 = await onnxTime(s1, spec.onnxName, shape);
    const o2 = await onnxTime(s2, spec.onnxName, shape);
    const cell = (v) => (typeof v === 'number' ? fmt(v) : `${v.note === '~' ? '~' : ''}${fmt(v.ms)}${v.note === '32x1' ? ' (32x1)' : ''}`);
    const wasmMs = typeof tfWasm[batch] === 'number' ? tfWasm[batch] : tfWasm[batch].ms;
    console.log(`| ${name} | ${batch} | ${fmt(o1)} | ${fmt(o2)} | ${cell(tfCpu[batch])} | ${cell(tfWasm[batch])} | ${(wasmMs / o1).toFixed(1)}x | ${(wasmMs / o2).toFixed(1)}x |`);
  }
  await s1.release();
  await s2.release();
}

}

// --- Layouts ----------------------------------------------------------------------------
if (sections.has('layout')) {
console.log('\n## Layout: NCHW regions (default) vs per-op transposes vs NCHW input (best case)\n');
console.log('ORT, 1 intra-op thread, CPU ms per call (process user + system time, which unlike wall time does not grow while other jobs hold the cores). The three variants run in turn, one call each, for many rounds; the table gives each one\'s smallest. "default": NHWC input, one transpose in, NCHW through the network. "transpose": every conv/pool wrapped in its own transposes, left to onnxruntime to cancel. "nchw input": the model takes NCHW, no transpose at all.\n');
console.log('| model | batch | default | transpose | nchw input | default / best |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const name of inferenceModels) {
  const spec = inputSpec(name);
  const dyn = fixedBatch.has(name);
  const variants = [
    await onnxSession(name, { dynamicBatch: dyn }, 1),
    await onnxSession(name, { dynamicBatch: dyn, layout: 'transpose' }, 1),
    await onnxSession(name, { dynamicBatch: dyn, inputLayout: 'nchw' }, 1),
  ];
  for (const batch of [1, 32]) {
    const shape = [batch, ...spec.shape.slice(1)];
    const n = shape.reduce((a, b) => a * b, 1);
    const data = randomInput(n);
    const feeds = variants.map((_, v) => ({ [spec.onnxName]: new ort.Tensor('float32', data, v === 2 ? [shape[0], shape[3], shape[1], shape[2]] : shape) }));
    const t0 = performance.now();
    for (let v = 0; v < 3; v++) await variants[v].run(feeds[v]); // warm-up
    const warmMs = performance.now() - t0;
    const best = [Infinity, Infinity, Infinity];
    // About 4 s per model and batch, at least 10 rounds.
    const rounds = quick ? 3 : Math.min(200, Math.max(10, Math.ceil(4000 / warmMs)));
    for (let round = 0; round < rounds; round++) {
      for (let v = 0; v < 3; v++) {
        // CPU time of the process (user + system) rather than wall time: with one intra-op
        // thread it is the work done, and it does not grow while other jobs hold the cores.
        const c0 = process.cpuUsage();
        await variants[v].run(feeds[v]);
        const c = process.cpuUsage(c0);
        best[v] = Math.min(best[v], (c.user + c.system) / 1000);
      }
    }
    console.log(`| ${name} | ${batch} | ${fmt(best[0])} | ${fmt(best[1])} | ${fmt(best[2])} | ${(best[0] / Math.min(...best)).toFixed(2)} |`);
  }
  for (const s of variants) await s.release();
}
}
