// The detector runner shared by every model: letterbox + normalise (one native warp) -> run -> decode ->
// threshold -> NMS -> map back to source pixels. Model conventions live in the spec (one file each).
import { assertInteger, assertOptionsObject, describe } from '../../core/validate.js';
import type { RgbImage } from '../../image/decode.js';
import type { Letterboxed } from '../../image/letterbox.js';
import { letterboxTensor } from '../../image/letterbox-tensor.js';
import type { ModelSession } from '../session.js';
import { nms } from './nms.js';
import type { Box, DetectedFace, DetectOptions, DetectorSpec, LandmarkKind } from './types.js';

const AUTO_PAD = 0.5;

function unitNumber(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${name}: expected a number in [0, 1], got ${describe(value)}`);
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name}: expected a number in [0, 1], got ${value}`);
  return value;
}

export class Detector {
  readonly name: string;
  readonly landmarkKind: LandmarkKind;

  constructor(readonly session: ModelSession, readonly spec: DetectorSpec) {
    this.name = spec.name;
    this.landmarkKind = spec.landmarkKind;
  }

  /** Faces in `image`, best score first. */
  async detect(image: RgbImage, options: DetectOptions = {}): Promise<DetectedFace[]> {
    const opts = assertOptionsObject('options', options);
    const scoreThreshold = unitNumber('options.scoreThreshold', opts.scoreThreshold, this.spec.scoreThreshold);
    const iouThreshold = unitNumber('options.iouThreshold', opts.iouThreshold, this.spec.iouThreshold);
    const maxFaces = opts.maxFaces === undefined ? Infinity : assertInteger('options.maxFaces', opts.maxFaces, 0);
    const pad = opts.pad ?? 'auto';
    if (pad !== 'auto') unitNumber('options.pad', pad, 0);
    const first = await this.detectPadded(image, pad === 'auto' ? 0 : (pad as number), scoreThreshold, iouThreshold, maxFaces);
    if (pad !== 'auto' || first.length > 0) return first;
    return this.detectPadded(image, AUTO_PAD, scoreThreshold, iouThreshold, maxFaces);
  }

  private async detectPadded(image: RgbImage, border: number, minScore: number, iouThreshold: number, maxFaces: number): Promise<DetectedFace[]> {
    const [w, h] = this.canvasSize(image, border);
    const nhwc = this.spec.layout === 'nhwc';
    const canvas = await letterboxTensor(image, w, h, border, this.spec.normalization, this.spec.layout);
    // The canvas is ours alone: hand it to the inference thread instead of copying 2 MB.
    const outputs = await this.session.run(canvas.data, nhwc ? [1, h, w, 3] : [1, 3, h, w], undefined, true);
    const found = this.spec.decode(outputs, minScore, w, h);
    const keep = nms(found.boxes, found.scores, iouThreshold, maxFaces);
    return keep.map((i) => toSource(canvas, image, found.boxes[i]!, found.scores[i]!, found.landmarks[i]!));
  }

  private canvasSize(image: RgbImage, border: number): [number, number] {
    const { inputWidth, inputHeight, canvas } = this.spec;
    if (canvas !== 'aspect') return [inputWidth, inputHeight];
    const margin = 2 * Math.round(border * Math.max(image.width, image.height));
    const w = image.width + margin, h = image.height + margin;
    const scale = inputWidth / Math.max(w, h);
    return [Math.max(32, Math.ceil((w * scale) / 32) * 32), Math.max(32, Math.ceil((h * scale) / 32) * 32)];
  }

  /** One run on a blank canvas: the first real image does not pay for onnxruntime's lazy setup. */
  async warmUp(): Promise<void> {
    const { inputWidth: w, inputHeight: h, layout } = this.spec;
    await this.session.warmUp(layout === 'nhwc' ? [1, h, w, 3] : [1, 3, h, w]);
  }

  dispose(): Promise<void> {
    return this.session.dispose();
  }
}

// Canvas pixels -> source pixels; boxes clipped to the image, landmarks left as predicted.
function toSource(canvas: Omit<Letterboxed, 'data'>, image: RgbImage, box: Box, score: number, landmarks: Float32Array): DetectedFace {
  const { offsetX, offsetY, scaleX, scaleY } = canvas;
  const x = (v: number) => (v - offsetX) / scaleX;
  const y = (v: number) => (v - offsetY) / scaleY;
  const out = new Float32Array(landmarks.length);
  for (let i = 0; i < landmarks.length; i += 2) {
    out[i] = x(landmarks[i]!);
    out[i + 1] = y(landmarks[i + 1]!);
  }
  const clip = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  return {
    box: [clip(x(box[0]), image.width), clip(y(box[1]), image.height), clip(x(box[2]), image.width), clip(y(box[3]), image.height)],
    score,
    landmarks: out,
  };
}
