import type { ConvertContext, Value } from '../context.js';
import type { TfNode } from '../tfjs-model.js';

/** Converts one TensorFlow node; returns its outputs in order (output :0, :1, ...). */
export type OpConverter = (ctx: ConvertContext, node: TfNode, inputs: Value[]) => Value[];
