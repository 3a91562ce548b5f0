// Models facecore knows: their conventions and calibrated figures, written once here.
// Recognisers from a file are recognised by the SHA-256 of their bytes; the converted npm models
// by name. Thresholds are cosine scores at FAR = 1e-3 on the ../shared/data pairs
// (tools/select-models.js, docs/pipeline.md).
import type { ChannelOrder } from '../image/tensor.js';

export interface RecognizerEntry {
  id: string;
  /** SHA-256 of the .onnx file, for models loaded by path. */
  sha256?: string;
  size: number;
  /** 0..255 scale, RGB order. */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  order: ChannelOrder;
  /** Whether the default embeds the mirror image too. */
  flip: boolean;
  /** Output holding the embedding, where the model has several. */
  output?: string;
  /** Cosine at FAR = 1e-3 with `flip` as above, and with it the other way. */
  threshold?: number;
  thresholdFlipped?: number;
  source: string;
}

const IMAGENET_MEAN = [0.485 * 255, 0.456 * 255, 0.406 * 255] as const;
const IMAGENET_STD = [0.229 * 255, 0.224 * 255, 0.225 * 255] as const;

export const RECOGNIZERS: readonly RecognizerEntry[] = [
  {
    // foamliu/MobileFaceNet weights/MobileFaceNet.onnx (../shared/models/mobilefacenet.onnx): upstream
    // data_gen.py 'val' transform is ToTensor + ImageNet Normalize; 112x112 ArcFace-aligned RGB.
    id: 'foamliu-mobilefacenet',
    sha256: 'b7120c095d60094f28a4a54ba6a8bf51b297a6273fb40ef6350dfec1f63d9507',
    size: 112, mean: IMAGENET_MEAN, std: IMAGENET_STD, order: 'rgb', flip: false,
    source: 'foamliu/MobileFaceNet (Apache-2.0)',
  },
];

export function knownRecognizer(sha256: string): RecognizerEntry | undefined {
  return RECOGNIZERS.find((r) => r.sha256 === sha256);
}
