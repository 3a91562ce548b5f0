// FaceAnalyzer: photo in, faces out (box, score, landmarks, embedding), ready to verify,
// search and cluster. decode (sharp) -> detect -> align (native warp into the model tensor)
// -> embed (all faces of a photo in one batch). Defaults: YuNet + foamliu's MobileFaceNet,
// shipped in the package (models/), chosen by measurement (docs/model-selection.md).
import { assertInteger, assertOneOf, assertOptionsObject, describe } from '../core/validate.js';
import { assertColourManaged, decodeImage, type ImageInput, type RgbImage } from '../image/decode.js';
import { decodeShrunk, type ShrunkImage } from '../image/shrink-on-load.js';
import { Detector } from '../models/detectors/detector.js';
import type { Box, DetectOptions } from '../models/detectors/types.js';
import { Recognizer, type RecognizerOptions } from '../models/embedders/recognizer.js';
import { loadDetector, loadRecognizer, type DetectorChoice, type RecognizerChoice } from '../models/registry.js';
import type { SessionOptions } from '../models/session.js';
import { alignForRecognizer } from './align-step.js';
import { qualifyFaces, qualityOptions, type FaceQuality, type QualityOptions } from './quality.js';
import { mainFace } from './main-face.js';

export interface AnalyzedFace {
  box: Box;
  score: number;
  landmarks: Float32Array;
  /** L2-normalised. */
  embedding: Float32Array;
  /** Score, size, pose, sharpness and their combination `overall` (docs/pipeline.md "Quality"). */
  quality: FaceQuality;
}

export interface FaceAnalyzerOptions extends SessionOptions, QualityOptions {
  /** A Detector, an .onnx path, or a registry name (default: the registry's default detector). */
  detector?: Detector | DetectorChoice;
  /** A Recognizer, an .onnx path, or a registry name (default: the registry's default recogniser). */
  recognizer?: Recognizer | RecognizerChoice;
  /** Options for detect() (score and NMS thresholds, maxFaces, padding of tight crops). */
  detection?: DetectOptions;
  /** Options for a recogniser loaded here (flip, threshold, normalisation). */
  recognition?: RecognizerOptions;
  /**
   * JPEGs at least 4x this on their longer side are decoded at 1/4 or 1/8 (shrink-on-load, never
   * below this side), then detected and aligned at that size; boxes and landmarks are given in
   * full-resolution pixels. false decodes at full size. Default DEFAULT_DECODE_MAX_SIDE
   * (measured: same accuracy, docs/pipeline.md).
   */
  decodeMaxSide?: number | false;
  /**
   * Convert photos with an embedded ICC profile to sRGB (true), or take their stored values as
   * sRGB (false, the default: what OpenCV's imread and the models' reference pipelines do; 13 of
   * the 45 deepface photos decode 2-4x faster; same accuracy, docs/pipeline.md "Colour profiles").
   */
  colourManaged?: boolean;
}

/** Smallest longer side a shrunk decode may have (2x the default YuNet canvas of 480). */
export const DEFAULT_DECODE_MAX_SIDE = 960;

/** The faces of one photo, best score first, with the decoded photo's size (after EXIF rotation). */
export interface AnalyzedFaces extends Array<AnalyzedFace> {
  width: number;
  height: number;
}

/** analyzeBatch's entry for a photo that failed, with `errors: 'collect'`. */
export interface BatchError {
  error: Error;
}

/** Milliseconds spent per stage, summed over calls (pass one object to analyze/analyzeBatch). */
export interface StageTimings {
  decode: number;
  detect: number;
  align: number;
  embed: number;
}

export interface AnalyzeOptions {
  timings?: StageTimings;
  /** What errors about the photo call it (default 'input'), e.g. its file name. */
  name?: string;
}

export interface BatchOptions extends Pick<AnalyzeOptions, 'timings'> {
  /** Photos in detection, alignment and embedding at once (default 2). */
  concurrency?: number;
  /**
   * Photos decoded ahead of those being analysed (default 1): photo i+1 decodes on sharp's
   * threads while photo i runs in onnxruntime. Each holds one decoded photo in memory.
   */
  decodeAhead?: number;
  signal?: AbortSignal;
  /** Called after each photo with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** 'reject' (default): the first failing photo rejects the batch; 'collect': its entry is `{ error }`. */
  errors?: 'reject' | 'collect';
}

export interface VerifyResult {
  /** Cosine similarity of the two main faces' embeddings (src/pipeline/main-face.ts). */
  score: number;
  /** score >= the recogniser's calibrated threshold. */
  same: boolean;
  threshold: number;
}

export class FaceAnalyzer {
  #disposed = false;

  private constructor(
    readonly detector: Detector,
    readonly recognizer: Recognizer,
    private readonly detection: DetectOptions,
    private readonly owned: { detector: boolean; recognizer: boolean },
    private readonly quality: Required<QualityOptions>,
    /** Longer side encoded photos are decoded at (false: full size). */
    readonly decodeMaxSide: number | false,
    /** Whether embedded ICC profiles are applied when decoding. */
    readonly colourManaged: boolean,
  ) {}

  /** Loads the models (the defaults ship in the package: nothing is downloaded or converted). */
  static async create(options: FaceAnalyzerOptions = {}): Promise<FaceAnalyzer> {
    const opts = assertOptionsObject('options', options) as FaceAnalyzerOptions;
    const session: SessionOptions = { threads: opts.threads, optimization: opts.optimization };
    const detection = assertOptionsObject('options.detection', opts.detection) as DetectOptions;
    const quality = qualityOptions(opts);
    const decodeMaxSide = opts.decodeMaxSide === false ? false : assertInteger('options.decodeMaxSide', opts.decodeMaxSide ?? DEFAULT_DECODE_MAX_SIDE, 32, 16384);
    const colourManaged = assertColourManaged('options.colourManaged', opts.colourManaged ?? false);
    const ownDetector = !(opts.detector instanceof Detector);
    const ownRecognizer = !(opts.recognizer instanceof Recognizer);
    // Both load at once (file reads and hashing overlap; a cold start is mostly this).
    const [d, r] = await Promise.allSettled([
      opts.detector instanceof Detector ? opts.detector : loadDetector(opts.detector, session),
      opts.recognizer instanceof Recognizer ? opts.recognizer : loadRecognizer(opts.recognizer, { ...session, ...(opts.recognition ?? {}) }),
    ]);
    if (d.status === 'rejected' || r.status === 'rejected') {
      if (d.status === 'fulfilled' && ownDetector) await d.value.dispose();
      if (r.status === 'fulfilled' && ownRecognizer) await r.value.dispose();
      throw d.status === 'rejected' ? d.reason : (r as PromiseRejectedResult).reason;
    }
    const detector = d.value, recognizer = r.value;
    if (detector.landmarkKind === 'none') {
      if (ownDetector) await detector.dispose();
      if (ownRecognizer) await recognizer.dispose();
      throw new RangeError(`options.detector: expected a detector with landmarks (alignment needs them), got '${detector.name}' without`);
    }
    return new FaceAnalyzer(detector, recognizer, detection, { detector: ownDetector, recognizer: ownRecognizer }, quality, decodeMaxSide, colourManaged);
  }

  private check(): void {
    if (this.#disposed) throw new Error('FaceAnalyzer: used after dispose()');
  }

  /** Every face in one photo (a path, an encoded Buffer or a raw image), best score first. */
  async analyze(input: ImageInput, options: AnalyzeOptions = {}): Promise<AnalyzedFaces> {
    this.check();
    const opts = assertOptionsObject('options', options) as AnalyzeOptions;
    const name = opts.name ?? 'input';
    if (typeof name !== 'string') throw new TypeError(`options.name: expected a string, got ${describe(name)}`);
    const lap = stageClock(opts.timings);
    const decoded = await this.decode(input, name);
    lap('decode');
    return this.analyzeDecoded(decoded, lap);
  }

  // Shrunk (scale > 1) only for JPEGs well above decodeMaxSide; whole otherwise.
  private async decode(input: ImageInput, name = 'input'): Promise<ShrunkImage> {
    const colour = { colourManaged: this.colourManaged };
    if (this.decodeMaxSide !== false) return decodeShrunk(input, this.decodeMaxSide, name, colour);
    const image = await decodeImage(input, name, colour);
    return { image, width: image.width, height: image.height, scaleX: 1, scaleY: 1 };
  }

  private async analyzeDecoded(decoded: ShrunkImage, lap: StageClock): Promise<AnalyzedFaces> {
    const { image, scaleX, scaleY } = decoded;
    const faces = await this.analyzeImage(image, lap, Math.min(scaleX, scaleY));
    if (scaleX === 1 && scaleY === 1) return faces;
    for (const f of faces) toFullResolution(f, scaleX, scaleY);
    return withSize(faces, decoded.width, decoded.height);
  }

  // `scale`: photo pixels per pixel of `image` (1 unless the photo was decoded shrunk).
  private async analyzeImage(image: RgbImage, lap: StageClock, scale: number): Promise<AnalyzedFaces> {
    const size = { width: image.width, height: image.height };
    const detected = await this.detector.detect(image, this.detection);
    lap('detect');
    // Quality (a 112 px warp + sharpness kernel) counts as alignment time.
    const faces = await qualifyFaces(image, detected, this.detector.landmarkKind, this.quality, scale);
    if (faces.length === 0) return withSize([], size.width, size.height);
    const crops = await alignForRecognizer(image, faces, this.detector.landmarkKind, this.recognizer.preprocessing);
    lap('align');
    const embeddings = await this.recognizer.embed(crops, faces.length);
    lap('embed');
    const dim = this.recognizer.dim;
    return withSize(faces.map((f, i) => ({ ...f, embedding: embeddings.slice(i * dim, (i + 1) * dim) })), size.width, size.height);
  }

  /**
   * analyze() over many photos, `concurrency` at a time; results in input order. Rejects with
   * the signal's reason when aborted, or with the first failing photo's error (naming its index)
   * unless `errors: 'collect'`, which gives that photo a `{ error }` entry and goes on.
   */
  async analyzeBatch(inputs: readonly ImageInput[], options?: BatchOptions & { errors?: 'reject' }): Promise<AnalyzedFaces[]>;
  async analyzeBatch(inputs: readonly ImageInput[], options: BatchOptions & { errors: 'collect' }): Promise<(AnalyzedFaces | BatchError)[]>;
  async analyzeBatch(inputs: readonly ImageInput[], options: BatchOptions = {}): Promise<(AnalyzedFaces | BatchError)[]> {
    this.check();
    if (!Array.isArray(inputs)) throw new TypeError(`inputs: expected an array of images, got ${describe(inputs)}`);
    const opts = assertOptionsObject('options', options) as BatchOptions;
    const concurrency = assertInteger('options.concurrency', opts.concurrency ?? 2, 1, 64);
    const ahead = assertInteger('options.decodeAhead', opts.decodeAhead ?? 1, 0, 64);
    const { signal, onProgress } = opts;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`options.signal: expected an AbortSignal, got ${describe(signal)}`);
    if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError(`options.onProgress: expected a function, got ${describe(onProgress)}`);
    const collect = assertOneOf('options.errors', opts.errors ?? 'reject', ['reject', 'collect'] as const) === 'collect';
    signal?.throwIfAborted();
    const results: (AnalyzedFaces | BatchError)[] = new Array(inputs.length);
    // Decodes started ahead, by index; each is taken (and dropped from here) by the one worker analysing that photo.
    const decodes = new Map<number, Promise<ShrunkImage>>();
    let next = 0;
    let done = 0;
    let failed: unknown;
    const decodeFrom = (i: number) => {
      for (let j = i; j <= i + ahead && j < inputs.length && failed === undefined; j++) {
        if (decodes.has(j)) continue;
        const decoding = this.decode(inputs[j]!);
        decoding.catch(() => {}); // its worker sees the error; an abandoned one (batch failed or aborted) must not go unhandled
        decodes.set(j, decoding);
      }
    };
    const worker = async () => {
      while (failed === undefined && next < inputs.length) {
        signal?.throwIfAborted();
        const i = next++;
        try {
          const lap = stageClock(opts.timings);
          decodeFrom(i);
          const decoding = decodes.get(i) ?? this.decode(inputs[i]!);
          decodes.delete(i);
          const decoded = await decoding; // batch timings: the wait for the decode, not its whole time
          lap('decode');
          results[i] = await this.analyzeDecoded(decoded, lap);
        } catch (err) {
          if (err instanceof Error && !err.message.startsWith('inputs[')) err.message = `inputs[${i}]: ${err.message}`;
          if (!collect || signal?.aborted) {
            failed ??= err;
            throw err;
          }
          results[i] = { error: err instanceof Error ? err : new Error(`inputs[${i}]: ${String(err)}`) };
        }
        done++;
        onProgress?.(done, inputs.length);
      }
    };
    const workers = Array.from({ length: Math.min(concurrency, inputs.length) }, worker);
    await Promise.all(workers);
    signal?.throwIfAborted();
    return results;
  }

  /** The embedding of a photo's main face (src/pipeline/main-face.ts); RangeError if there is none. */
  async embedMainFace(input: ImageInput, name = 'input'): Promise<Float32Array> {
    const faces = await this.analyze(input);
    const face = mainFace(faces, faces.width, faces.height);
    if (face === undefined) throw new RangeError(`${name}: expected a photo with a face, found none`);
    return face.embedding;
  }

  /**
   * Whether two photos (or embeddings) show the same person: cosine of the main faces'
   * embeddings against the recogniser's calibrated verification threshold (FAR = 1e-3 on the
   * evaluation pairs).
   */
  async verify(a: ImageInput | Float32Array, b: ImageInput | Float32Array, options: { threshold?: number } = {}): Promise<VerifyResult> {
    this.check();
    const threshold = assertOptionsObject('options', options).threshold ?? this.recognizer.threshold;
    if (typeof threshold !== 'number' || !(threshold >= -1 && threshold <= 1)) {
      throw new RangeError(`options.threshold: expected a cosine in [-1, 1] (the recogniser '${this.recognizer.id}' has no calibrated one), got ${describe(threshold)}`);
    }
    const [ea, eb] = await Promise.all([this.embeddingOf(a, 'a'), this.embeddingOf(b, 'b')]);
    let score = 0;
    for (let i = 0; i < ea.length; i++) score += ea[i]! * eb[i]!;
    return { score, same: score >= threshold, threshold };
  }

  private async embeddingOf(x: ImageInput | Float32Array, name: string): Promise<Float32Array> {
    if (!(x instanceof Float32Array)) return this.embedMainFace(x, name);
    if (x.length !== this.recognizer.dim) throw new RangeError(`${name}: expected an embedding of ${this.recognizer.dim} floats, got ${x.length}`);
    return x;
  }

  /** Releases the models this analyzer loaded (not those passed in). */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.owned.detector) await this.detector.dispose();
    if (this.owned.recognizer) await this.recognizer.dispose();
  }
}

type StageClock = (stage: keyof StageTimings) => void;

// Adds the time since the previous call (or since creation) to `stage` in `timings`.
function stageClock(timings: StageTimings | undefined): StageClock {
  let t = performance.now();
  return (stage) => {
    const now = performance.now();
    if (timings) timings[stage] += now - t;
    t = now;
  };
}

// The photo's size rides on the array as non-enumerable properties, so the result still
// compares, spreads and serialises as the plain array of faces it was before.
function withSize(faces: AnalyzedFace[], width: number, height: number): AnalyzedFaces {
  return Object.defineProperties(faces, {
    width: { value: width, writable: true, configurable: true },
    height: { value: height, writable: true, configurable: true },
  }) as AnalyzedFaces;
}

// Shrunk-decode pixels -> full-resolution pixels (in place).
function toFullResolution(face: AnalyzedFace, sx: number, sy: number): void {
  face.box = [face.box[0] * sx, face.box[1] * sy, face.box[2] * sx, face.box[3] * sy];
  for (let i = 0; i < face.landmarks.length; i += 2) {
    face.landmarks[i]! *= sx;
    face.landmarks[i + 1]! *= sy;
  }
}
