import { convOps } from './conv.js';
import { elementwiseOps } from './elementwise.js';
import { matmulOps } from './matmul.js';
import { reduceOps } from './reduce.js';
import { shapeOps } from './shape.js';
import { spatialOps } from './spatial.js';
import type { OpConverter } from './types.js';

/** Every TensorFlow op the converter handles, by op name. */
export const opConverters: Readonly<Record<string, OpConverter>> = {
  ...convOps,
  ...elementwiseOps,
  ...matmulOps,
  ...reduceOps,
  ...shapeOps,
  ...spatialOps,
};

export function supportedOps(): string[] {
  return ['Const', 'Placeholder', ...Object.keys(opConverters)].sort();
}
