// YuNet (ShiqiYu/libfacedetection.train ONNX by path; fixed 320/640 or dynamic).
// Conventions (upstream config and tools/compare_inference.py; OpenCV FaceDetectorYN):
// - input: BGR, raw 0..255 (mean 0, std 1), letterboxed; dynamic models take any multiple of 32;
// - outputs (12): cls_8/16/32, obj_8/16/32, bbox_8/16/32, kps_8/16/32, one prior per cell,
//   cls and obj already sigmoid;
// - per stride s and cell (col, row), a = (col * s, row * s): score = sqrt(cls * obj) (OpenCV;
//   upstream's own tool uses cls * obj), centre = a + bbox[0:2] * s, size = exp(bbox[2:4]) * s,
//   landmark i = a + kps[2i:2i+2] * s;
// - OpenCV's default NMS IoU 0.3; we use score 0.5 like the other detectors (OpenCV: 0.9).
import { imageInput, type ModelSession, type OutputTensor, type SessionOptions } from '../session.js';
import { Detector } from './detector.js';
import type { Candidates, DetectorSpec } from './types.js';

const STRIDES = [8, 16, 32];
const OUTPUTS = ['cls_8', 'cls_16', 'cls_32', 'obj_8', 'obj_16', 'obj_32', 'bbox_8', 'bbox_16', 'bbox_32', 'kps_8', 'kps_16', 'kps_32'];

export interface YunetOptions extends SessionOptions {
  /** Canvas size for the dynamic models (multiple of 32; default 640). */
  inputSize?: number;
}

export function yunetSpec(inputWidth: number, inputHeight: number, dynamic = false): DetectorSpec {
  return {
    name: 'yunet',
    landmarkKind: 'arcface5',
    inputWidth,
    inputHeight,
    // Dynamic models take the image's aspect ratio (as OpenCV's FaceDetectorYN takes its size).
    canvas: dynamic ? 'aspect' : 'fixed',
    layout: 'nchw',
    normalization: { mean: [0, 0, 0], std: [1, 1, 1], order: 'bgr' },
    scoreThreshold: 0.5,
    iouThreshold: 0.3,
    decode(outputs: OutputTensor[], minScore: number, width: number, height: number): Candidates {
      const found: Candidates = { boxes: [], scores: [], landmarks: [] };
      STRIDES.forEach((s, level) => {
        const cls = outputs[level]!.data as Float32Array;
        const obj = outputs[level + 3]!.data as Float32Array;
        const bbox = outputs[level + 6]!.data as Float32Array;
        const kps = outputs[level + 9]!.data as Float32Array;
        const cols = Math.floor(width / s);
        if (cls.length !== cols * Math.floor(height / s)) {
          throw new RangeError(`YuNet stride ${s}: expected ${cols * Math.floor(height / s)} cells for a ${width}x${height} input, got ${cls.length}`);
        }
        for (let i = 0; i < cls.length; i++) {
          const score = Math.sqrt(Math.min(Math.max(cls[i]!, 0), 1) * Math.min(Math.max(obj[i]!, 0), 1));
          if (score < minScore) continue;
          const ax = (i % cols) * s;
          const ay = Math.floor(i / cols) * s;
          const cx = ax + bbox[i * 4]! * s;
          const cy = ay + bbox[i * 4 + 1]! * s;
          const w = Math.exp(bbox[i * 4 + 2]!) * s;
          const h = Math.exp(bbox[i * 4 + 3]!) * s;
          const points = new Float32Array(10);
          for (let k = 0; k < 10; k += 2) {
            points[k] = ax + kps[i * 10 + k]! * s;
            points[k + 1] = ay + kps[i * 10 + k + 1]! * s;
          }
          found.boxes.push([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]);
          found.scores.push(score);
          found.landmarks.push(points);
        }
      });
      return found;
    },
  };
}

/** Whether a model's outputs are YuNet's. */
export function isYunet(session: ModelSession): boolean {
  const names = session.outputs.map((o) => o.name);
  return names.length === OUTPUTS.length && OUTPUTS.every((n, i) => names[i] === n);
}

/** A YuNet detector on an open session. */
export function createYunet(session: ModelSession, options: YunetOptions = {}): Detector {
  const input = imageInput(session, 'YuNet');
  if (!isYunet(session)) {
    throw new RangeError(`model ${session.source}: expected YuNet's 12 outputs ${OUTPUTS.join(', ')}, got ${session.outputs.map((o) => o.name).join(', ')}`);
  }
  const size = options.inputSize ?? 640;
  if (!Number.isInteger(size) || size < 32 || size % 32 !== 0) throw new RangeError(`options.inputSize: expected a multiple of 32, got ${size}`);
  return new Detector(session, yunetSpec(input.width ?? size, input.height ?? size, input.width === undefined));
}
