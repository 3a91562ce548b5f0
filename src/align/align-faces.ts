// Face alignment as insightface's norm_crop: the least-squares similarity from each face's
// landmarks to the ArcFace template, then one batched warp straight into the recogniser's tensor.
import { assertInteger, assertOptionsObject, describe, isNumberList } from '../core/validate.js';
import {
  checkImage, warpInverse, warpInverseAsync, type BorderMode, type ChannelOrder, type Interpolation, type RawImage,
  type WarpOptions, type WarpOutput,
} from '../core/warp.js';
import { templateForSize } from './templates.js';
import { estimateSimilarity, invertAffine, pointCount } from './transform.js';

export interface AlignOptions {
  /** Crop side in pixels (default 112); sets the template by insightface's rule unless `template` is given. */
  size?: number;
  /** Target points in the crop, flat [x0, y0, ...] (default: the ArcFace template for `size`). */
  template?: ArrayLike<number>;
  /** 'float32-nchw' (default: the recogniser's input) or 'uint8' (n x size x size x C crops). */
  output?: WarpOutput;
  /** float32-nchw normalisation, (v - mean) / std per output channel: ArcFace's 127.5 and 127.5 by default. */
  mean?: number | readonly number[];
  std?: number | readonly number[];
  /** 'rgb' (default, ArcFace ONNX models) or 'bgr'. */
  channelOrder?: ChannelOrder;
  interpolation?: Interpolation;
  border?: BorderMode;
  threads?: number;
  out?: Uint8Array | Float32Array;
}

export interface AlignResult<T extends Uint8Array | Float32Array = Uint8Array | Float32Array> {
  /** n x 3 x size x size (float32-nchw) or n x size x size x C (uint8). */
  tensor: T;
  /** Shape of tensor: [n, 3, size, size] or [n, size, size, C]. */
  dims: [number, number, number, number];
  /** Per face, OpenCV's M (row-major 2x3): image coordinates -> crop coordinates. invertAffine maps back. */
  matrices: Float64Array[];
}

/** Landmarks of n faces: flat (n x points x 2 numbers) or one flat point list per face. */
export type Landmarks = ArrayLike<number> | readonly ArrayLike<number>[];

function prepareAlign(image: unknown, landmarks: unknown, options: unknown) {
  const opts = assertOptionsObject('options', options);
  const size = assertInteger('options.size', opts.size ?? 112, 1, 8192);
  const template = opts.template === undefined ? templateForSize(size) : (opts.template as ArrayLike<number>);
  const k = pointCount('options.template', template, 2);
  const nested = Array.isArray(landmarks) && landmarks.length > 0 && typeof landmarks[0] === 'object';
  let faces: ArrayLike<number>[];
  if (nested) {
    faces = landmarks as ArrayLike<number>[];
  } else {
    if (!isNumberList(landmarks)) {
      throw new TypeError(`landmarks: expected flat [x0, y0, ...] points (${k} per face) or a list of faces, got ${describe(landmarks)}`);
    }
    const flat = landmarks as ArrayLike<number>;
    if (flat.length % (2 * k) !== 0) {
      throw new RangeError(`landmarks: expected a multiple of ${2 * k} numbers (${k} points per face), got ${flat.length}`);
    }
    faces = [];
    for (let i = 0; i < flat.length / (2 * k); i++) faces.push(Array.prototype.slice.call(flat, 2 * k * i, 2 * k * (i + 1)));
  }
  const matrices: Float64Array[] = [];
  const inverse = new Float64Array(6 * faces.length);
  faces.forEach((face, i) => {
    const pts = pointCount(`landmarks[${i}]`, face, k);
    if (pts !== k) throw new RangeError(`landmarks[${i}]: expected ${k} points (as the template), got ${pts}`);
    let m: Float64Array;
    try {
      m = estimateSimilarity(face, template);
    } catch (e) {
      throw new RangeError(`landmarks[${i}]: ${(e as Error).message}`);
    }
    matrices.push(m);
    inverse.set(invertAffine(m, `matrices[${i}]`), 6 * i);
  });
  const output = opts.output ?? 'float32-nchw';
  const warp: WarpOptions = {
    width: size, height: size, output: output as WarpOutput,
    interpolation: opts.interpolation as Interpolation, border: opts.border as BorderMode,
    channelOrder: opts.channelOrder as ChannelOrder, mean: (opts.mean ?? 127.5) as number, std: (opts.std ?? 127.5) as number,
    threads: opts.threads as number, out: opts.out as Uint8Array | Float32Array,
  };
  const c = checkImage('image', image).channels;
  const dims: [number, number, number, number] = output === 'uint8' ? [faces.length, size, size, c] : [faces.length, 3, size, size];
  return { inverse, warp, matrices, dims };
}

/**
 * Aligns n faces of one image: each face's landmarks (5 points in the order of the ArcFace
 * template: left eye, right eye, nose, left and right mouth corner, as seen in the image) are
 * mapped onto the template by a least-squares similarity, and the crops are warped (bilinear,
 * border 0, as insightface's norm_crop) into one tensor.
 */
export function alignFaces(image: RawImage, landmarks: Landmarks, options: AlignOptions & { output: 'uint8' }): AlignResult<Uint8Array>;
export function alignFaces(image: RawImage, landmarks: Landmarks, options?: AlignOptions & { output?: 'float32-nchw' }): AlignResult<Float32Array>;
export function alignFaces(image: RawImage, landmarks: Landmarks, options?: AlignOptions): AlignResult;
export function alignFaces(image: RawImage, landmarks: Landmarks, options?: AlignOptions): AlignResult {
  const { inverse, warp, matrices, dims } = prepareAlign(image, landmarks, options);
  return { tensor: warpInverse(image, inverse, warp), dims, matrices };
}

/** `alignFaces` with the warp off the main thread. */
export async function alignFacesAsync(image: RawImage, landmarks: Landmarks, options: AlignOptions & { output: 'uint8' }): Promise<AlignResult<Uint8Array>>;
export async function alignFacesAsync(image: RawImage, landmarks: Landmarks, options?: AlignOptions & { output?: 'float32-nchw' }): Promise<AlignResult<Float32Array>>;
export async function alignFacesAsync(image: RawImage, landmarks: Landmarks, options?: AlignOptions): Promise<AlignResult>;
export async function alignFacesAsync(image: RawImage, landmarks: Landmarks, options?: AlignOptions): Promise<AlignResult> {
  const { inverse, warp, matrices, dims } = prepareAlign(image, landmarks, options);
  return { tensor: await warpInverseAsync(image, inverse, warp), dims, matrices };
}
