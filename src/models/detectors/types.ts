// What every face detector returns, in source-image pixel coordinates.
import type { OutputTensor } from '../session.js';
import type { Normalization } from '../../image/tensor.js';

/** [x1, y1, x2, y2], pixels. */
export type Box = [number, number, number, number];

export interface DetectedFace {
  box: Box;
  score: number;
  /** (x, y) pairs in the detector's landmark order (see Detector.landmarkKind). */
  landmarks: Float32Array;
}

/**
 * 'arcface5': eye, eye, nose tip, mouth corner, mouth corner, as seen in the image (left first).
 * 'blazeface6': eye, eye, nose tip, mouth centre, ear, ear (image-left first for each pair).
 * 'none': no landmarks (box only).
 */
export type LandmarkKind = 'arcface5' | 'blazeface6' | 'none';

/** Decoded candidates on the model's input canvas, before the score threshold and NMS. */
export interface Candidates {
  boxes: Box[];
  scores: number[];
  landmarks: Float32Array[];
}

/** A model's conventions: written once in its decoder file. */
export interface DetectorSpec {
  name: string;
  landmarkKind: LandmarkKind;
  /** Canvas the image is letterboxed into. */
  inputWidth: number;
  inputHeight: number;
  /**
   * Models with a dynamic input size only: 'aspect' sizes the canvas to the image's aspect ratio
   * (longer side inputWidth, both sides multiples of 32) instead of the fixed square.
   */
  canvas?: 'fixed' | 'aspect';
  normalization: Normalization;
  /** Input layout: 'nchw' (PyTorch exports) or 'nhwc' (tfjs conversions). */
  layout: 'nchw' | 'nhwc';
  /** Upstream defaults. */
  scoreThreshold: number;
  iouThreshold: number;
  /** Turns raw outputs (model output order) for a width x height canvas into candidates scoring at least `minScore`. */
  decode(outputs: OutputTensor[], minScore: number, width: number, height: number): Candidates;
}

export interface DetectOptions {
  /** Minimum face score (default: the model's). */
  scoreThreshold?: number;
  /** NMS IoU threshold (default: the model's). */
  iouThreshold?: number;
  /** Keep at most this many faces, highest scores first (default: all). */
  maxFaces?: number;
  /**
   * Black border, as a fraction of the larger side, added around the image before detection.
   * 'auto' (default): none, then 0.5 if nothing was found (faces filling the frame are missed
   * by anchor-based detectors otherwise).
   */
  pad?: 'auto' | number;
}
