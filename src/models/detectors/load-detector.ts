// Opens any supported face detector from an .onnx file, recognising the family from the model's
// outputs as insightface's model router does: YuNet by its output names, RetinaFace by its three
// outputs (box 4, score 2, landmarks 10), SCRFD by 6/9/10/15 outputs, BlazeFace by its NHWC input and 4 outputs.
import { ModelSession, type SessionOptions } from '../session.js';
import { createBlazeface } from './blazeface.js';
import type { Detector } from './detector.js';
import { createRetinaface } from './retinaface.js';
import { createScrfd } from './scrfd.js';
import { createYunet, isYunet } from './yunet.js';

export type DetectorFamily = 'scrfd' | 'yunet' | 'retinaface' | 'blazeface';

export interface DetectorLoadOptions extends SessionOptions {
  /** Skip the sniffing and treat the model as this family. */
  family?: DetectorFamily;
  /** Canvas size for models with a dynamic input (default 640). */
  inputSize?: number;
}

export function detectorFamily(session: ModelSession): DetectorFamily {
  const n = session.outputs.length;
  const dims = session.inputs[0]?.dims ?? [];
  if (isYunet(session)) return 'yunet';
  if (dims.length === 4 && dims[3] === 3 && n === 4) return 'blazeface';
  const last = session.outputs.map((o) => o.dims[o.dims.length - 1]);
  if (n === 3 && last[0] === 4 && last[1] === 2 && last[2] === 10) return 'retinaface';
  if ((n === 6 || n === 9 || n === 10 || n === 15) && dims[1] === 3) return 'scrfd';
  const got = session.outputs.map((o) => `${o.name} [${o.dims.join(', ')}]`).join('; ');
  throw new RangeError(`model ${session.source}: expected a face detector (SCRFD, YuNet, RetinaFace or BlazeFace outputs), got ${n} outputs: ${got}`);
}

function create(session: ModelSession, family: DetectorFamily, options: DetectorLoadOptions): Detector {
  switch (family) {
    case 'yunet': return createYunet(session, options);
    case 'blazeface': return createBlazeface(session);
    case 'retinaface': return createRetinaface(session, options);
    case 'scrfd': return createScrfd(session, options);
    default: throw new RangeError(`options.family: expected 'scrfd' | 'yunet' | 'retinaface' | 'blazeface', got '${String(family)}'`);
  }
}

/** Loads a face detector from an .onnx path or bytes. */
export async function loadDetectorModel(model: string | Uint8Array, options: DetectorLoadOptions = {}): Promise<Detector> {
  const session = await ModelSession.load(model, options);
  try {
    const detector = create(session, options.family ?? detectorFamily(session), options);
    await detector.warmUp();
    return detector;
  } catch (err) {
    await session.dispose();
    throw err;
  }
}

