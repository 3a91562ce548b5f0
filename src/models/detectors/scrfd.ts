// SCRFD (insightface detection/scrfd; det_500m / det_2.5g / det_10g ONNX by path).
// Conventions (insightface python-package model_zoo/scrfd.py):
// - input: RGB, (x - 127.5) / 128, letterboxed into 640x640 (black right/bottom) when the
//   model's size is dynamic;
// - outputs: scores, boxes, keypoints per stride, in that order. 6 or 9 tensors: strides
//   8/16/32 with 2 anchors per cell; 10 or 15: strides 8..128 with 1 anchor. 9 and 15 carry
//   keypoints. A leading batch dimension may or may not be there: we read the flat data;
// - anchor centre a = (col * s, row * s), each repeated per anchor; scores already sigmoid;
//   box = (a.x - d0, a.y - d1, a.x + d2, a.y + d3) with d = output * s; keypoint = a + k * s;
// - defaults: score 0.5, NMS IoU 0.4.
import { imageInput, type ModelSession, type OutputTensor, type SessionOptions } from '../session.js';
import { Detector } from './detector.js';
import type { Box, Candidates, DetectorSpec } from './types.js';

const LAYOUTS: Record<number, { strides: number[]; anchors: number; keypoints: boolean }> = {
  6: { strides: [8, 16, 32], anchors: 2, keypoints: false },
  9: { strides: [8, 16, 32], anchors: 2, keypoints: true },
  10: { strides: [8, 16, 32, 64, 128], anchors: 1, keypoints: false },
  15: { strides: [8, 16, 32, 64, 128], anchors: 1, keypoints: true },
};

export interface ScrfdOptions extends SessionOptions {
  /** Canvas size for models with a dynamic input (multiple of 32; default 640). */
  inputSize?: number;
}

export function scrfdSpec(outputCount: number, inputWidth: number, inputHeight: number): DetectorSpec {
  const layout = LAYOUTS[outputCount];
  if (layout === undefined) throw new RangeError(`SCRFD: expected 6, 9, 10 or 15 outputs, got ${outputCount}`);
  const { strides, anchors, keypoints } = layout;
  const fmc = strides.length;
  return {
    name: 'scrfd',
    landmarkKind: keypoints ? 'arcface5' : 'none',
    inputWidth,
    inputHeight,
    layout: 'nchw',
    normalization: { mean: [127.5, 127.5, 127.5], std: [128, 128, 128], order: 'rgb' },
    scoreThreshold: 0.5,
    iouThreshold: 0.4,
    decode(outputs: OutputTensor[], minScore: number, width: number, height: number): Candidates {
      const found: Candidates = { boxes: [], scores: [], landmarks: [] };
      strides.forEach((s, level) => {
        const scores = outputs[level]!.data as Float32Array;
        const boxes = outputs[level + fmc]!.data as Float32Array;
        const kps = keypoints ? (outputs[level + 2 * fmc]!.data as Float32Array) : undefined;
        const cols = Math.ceil(width / s);
        const cells = cols * Math.ceil(height / s);
        if (scores.length !== cells * anchors) {
          throw new RangeError(`SCRFD stride ${s}: expected ${cells * anchors} scores for a ${width}x${height} input, got ${scores.length}`);
        }
        for (let i = 0; i < scores.length; i++) {
          const score = scores[i]!;
          if (score < minScore) continue;
          const cell = Math.floor(i / anchors);
          const ax = (cell % cols) * s;
          const ay = Math.floor(cell / cols) * s;
          const d = i * 4;
          const box: Box = [ax - boxes[d]! * s, ay - boxes[d + 1]! * s, ax + boxes[d + 2]! * s, ay + boxes[d + 3]! * s];
          const points = new Float32Array(keypoints ? 10 : 0);
          for (let k = 0; k < points.length; k += 2) {
            points[k] = ax + kps![i * 10 + k]! * s;
            points[k + 1] = ay + kps![i * 10 + k + 1]! * s;
          }
          found.boxes.push(box);
          found.scores.push(score);
          found.landmarks.push(points);
        }
      });
      return found;
    },
  };
}

/** An SCRFD detector on an open session (throws a RangeError if the model is not SCRFD-shaped). */
export function createScrfd(session: ModelSession, options: ScrfdOptions = {}): Detector {
  const input = imageInput(session, 'SCRFD');
  const size = options.inputSize ?? 640;
  if (!Number.isInteger(size) || size < 32 || size % 32 !== 0) throw new RangeError(`options.inputSize: expected a multiple of 32, got ${size}`);
  return new Detector(session, scrfdSpec(session.outputs.length, input.width ?? size, input.height ?? size));
}
