// RetinaFace MobileNet-0.25 (biubug6/Pytorch_Retinaface export; ONNX by path, fixed 640x640).
// Conventions (upstream data/config.py, layers/functions/prior_box.py, utils/box_utils.py):
// - input: BGR, minus per-channel mean (104, 117, 123) in BGR order, no scaling;
// - outputs: loc [1, P, 4], conf [1, P, 2] (softmax applied, column 1 = face), landms [1, P, 10];
// - priors: steps 8/16/32, min sizes (16, 32) / (64, 128) / (256, 512), two per cell, centre
//   ((col + 0.5) * s, (row + 0.5) * s), size = min size; variances 0.1 / 0.2:
//   centre = prior.c + loc[0:2] * 0.1 * prior.wh, size = prior.wh * exp(loc[2:4] * 0.2),
//   landmark = prior.c + l * 0.1 * prior.wh;
// - upstream detect.py: NMS IoU 0.4 (its confidence 0.02 is for the WIDER benchmark; we use 0.5).
import { imageInput, type ModelSession, type OutputTensor, type SessionOptions } from '../session.js';
import { Detector } from './detector.js';
import type { Candidates, DetectorSpec } from './types.js';

const LEVELS = [
  { step: 8, sizes: [16, 32] },
  { step: 16, sizes: [64, 128] },
  { step: 32, sizes: [256, 512] },
];

/** Priors as (cx, cy, size) in canvas pixels, upstream order (level, row, col, size). */
function priors(width: number, height: number): Float32Array {
  const out: number[] = [];
  for (const { step, sizes } of LEVELS) {
    const rows = Math.ceil(height / step);
    const cols = Math.ceil(width / step);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        for (const size of sizes) out.push((c + 0.5) * step, (r + 0.5) * step, size);
      }
    }
  }
  return Float32Array.from(out);
}

export function retinafaceSpec(inputWidth: number, inputHeight: number): DetectorSpec {
  const prior = priors(inputWidth, inputHeight);
  const count = prior.length / 3;
  return {
    name: 'retinaface',
    landmarkKind: 'arcface5',
    inputWidth,
    inputHeight,
    layout: 'nchw',
    normalization: { mean: [123, 117, 104], std: [1, 1, 1], order: 'bgr' },
    scoreThreshold: 0.5,
    iouThreshold: 0.4,
    decode(outputs: OutputTensor[], minScore: number, width: number, height: number): Candidates {
      const loc = outputs[0]!.data as Float32Array;
      const conf = outputs[1]!.data as Float32Array;
      const landms = outputs[2]!.data as Float32Array;
      if (conf.length !== count * 2) throw new RangeError(`RetinaFace: expected ${count} priors for a ${width}x${height} input, got ${conf.length / 2}`);
      const found: Candidates = { boxes: [], scores: [], landmarks: [] };
      for (let i = 0; i < count; i++) {
        const score = conf[i * 2 + 1]!;
        if (score < minScore) continue;
        const px = prior[i * 3]!;
        const py = prior[i * 3 + 1]!;
        const ps = prior[i * 3 + 2]!;
        const cx = px + loc[i * 4]! * 0.1 * ps;
        const cy = py + loc[i * 4 + 1]! * 0.1 * ps;
        const w = ps * Math.exp(loc[i * 4 + 2]! * 0.2);
        const h = ps * Math.exp(loc[i * 4 + 3]! * 0.2);
        const points = new Float32Array(10);
        for (let k = 0; k < 10; k += 2) {
          points[k] = px + landms[i * 10 + k]! * 0.1 * ps;
          points[k + 1] = py + landms[i * 10 + k + 1]! * 0.1 * ps;
        }
        found.boxes.push([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]);
        found.scores.push(score);
        found.landmarks.push(points);
      }
      return found;
    },
  };
}

/** A RetinaFace detector on an open session (outputs loc, conf, landms). */
export function createRetinaface(session: ModelSession, options: SessionOptions & { inputSize?: number } = {}): Detector {
  const input = imageInput(session, 'RetinaFace');
  if (session.outputs.length !== 3) {
    throw new RangeError(`model ${session.source}: expected RetinaFace's 3 outputs (loc, conf, landms), got ${session.outputs.length}`);
  }
  const size = options.inputSize ?? 640;
  return new Detector(session, retinafaceSpec(input.width ?? size, input.height ?? size));
}
