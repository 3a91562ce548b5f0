// Per-op tests: tiny generated tfjs graphs, converted and run on onnxruntime, compared with
// tfjs's cpu backend. Each graph runs in both layouts the converter can produce.
import { beforeAll, describe, expect, it } from 'vitest';
import { convertTfjsArtifacts } from '../../../src/models/convert/convert.js';
import type { LayoutMode } from '../../../src/models/convert/context.js';
import { a, TfGraph } from '../../helpers/tfjs-graph.js';
import { loadTfjsFromMemory, randomArray, relativeL2, runOnnx, runTfjs, tfReady, type NamedArray } from '../../helpers/tfjs-reference.js';

interface Case {
  name: string;
  inputs: Record<string, number[]>;
  build: (g: TfGraph, rand: (shape: number[], lo?: number, hi?: number) => string) => string[];
  /** Input value range (positive inputs for Rsqrt and friends). */
  range?: [number, number];
}

const size = (shape: number[]) => shape.reduce((x, y) => x * y, 1);

async function check(c: Case, layout: LayoutMode): Promise<void> {
  const g = new TfGraph();
  let seed = 11;
  const rand = (shape: number[], lo = -1, hi = 1) => g.const(randomArray(size(shape), seed++, lo, hi), shape);
  for (const [name, shape] of Object.entries(c.inputs)) g.input(name, shape);
  const outputs = c.build(g, rand);
  const artifacts = g.artifacts();
  const bytes = convertTfjsArtifacts(artifacts, { modelName: c.name, layout });
  const feed: Record<string, NamedArray> = {};
  let s = 100;
  for (const [name, shape] of Object.entries(c.inputs)) {
    const concrete = shape.map((d) => (d < 0 ? 2 : d));
    feed[name] = { data: randomArray(size(concrete), s++, ...(c.range ?? [-1, 1])), shape: concrete };
  }
  const got = await runOnnx(bytes, feed);
  const model = await loadTfjsFromMemory(artifacts);
  const want = await runTfjs(model, feed, outputs);
  model.dispose();
  outputs.forEach((o, k) => {
    expect(got[o], `${c.name} output ${o}`).toBeDefined();
    expect(got[o].length, `${c.name} output ${o} size`).toBe(want[k].length);
    expect(relativeL2(got[o], want[k]), `${c.name} [${layout}] output ${o}`).toBeLessThanOrEqual(1e-5);
  });
}

const X = 'x';
const img = (h: number, w: number, c: number, n = 1) => ({ [X]: [n, h, w, c] });

function conv(g: TfGraph, rand: (s: number[]) => string, x: string, k: [number, number, number, number], stride: number, dilation: number, padding: string, explicit?: number[]): string {
  return g.op('Conv2D', [x, rand(k)], {
    strides: a.ints([1, stride, stride, 1]),
    dilations: a.ints([1, dilation, dilation, 1]),
    padding: a.s(padding),
    data_format: a.s('NHWC'),
    ...(explicit ? { explicit_paddings: a.ints(explicit) } : {}),
  });
}

const cases: Case[] = [];

// Convolutions: each padding mode, odd sizes, stride 2, dilation 2.
for (const padding of ['SAME', 'VALID', 'EXPLICIT']) {
  for (const [stride, dilation] of [
    [1, 1],
    [2, 1],
    [1, 2],
  ]) {
    const explicit = padding === 'EXPLICIT' ? [0, 0, 1, 2, 2, 0, 0, 0] : undefined;
    cases.push({
      name: `Conv2D ${padding} stride ${stride} dilation ${dilation}`,
      inputs: img(9, 7, 5),
      build: (g, rand) => [conv(g, rand, X, [3, 3, 5, 4], stride, dilation, padding, explicit)],
    });
    if (padding !== 'EXPLICIT') {
      cases.push({
        name: `DepthwiseConv2dNative ${padding} stride ${stride} dilation ${dilation}`,
        inputs: img(8, 11, 3),
        build: (g, rand) => [
          g.op('DepthwiseConv2dNative', [X, rand([3, 5, 3, 2])], {
            strides: a.ints([1, stride, stride, 1]),
            dilations: a.ints([1, dilation, dilation, 1]),
            padding: a.s(padding),
            data_format: a.s('NHWC'),
          }),
        ],
      });
    }
  }
}
cases.push({
  name: 'Conv2D 1x1 even input, stride 2 SAME',
  inputs: img(8, 8, 4),
  build: (g, rand) => [conv(g, rand, X, [1, 1, 4, 6], 2, 1, 'SAME')],
});
// Fused convolutions with each activation.
for (const act of ['', 'Relu', 'Relu6', 'Elu', 'LeakyRelu', 'Prelu', 'Sigmoid']) {
  cases.push({
    name: `_FusedConv2D BiasAdd${act ? `+${act}` : ''}`,
    inputs: img(7, 6, 3),
    build: (g, rand) => {
      const args = [rand([4]), ...(act === 'Prelu' ? [rand([4])] : [])];
      return [
        g.op('_FusedConv2D', [X, rand([3, 3, 3, 4]), ...args], {
          strides: a.ints([1, 2, 2, 1]),
          dilations: a.ints([1, 1, 1, 1]),
          padding: a.s('SAME'),
          data_format: a.s('NHWC'),
          fused_ops: a.strs(act ? ['BiasAdd', act] : ['BiasAdd']),
          num_args: a.i(args.length),
          ...(act === 'LeakyRelu' ? { leakyrelu_alpha: a.f(0.3) } : {}),
        }),
      ];
    },
  });
  if (act === 'Relu6' || act === 'Prelu' || act === '') {
    cases.push({
      name: `FusedDepthwiseConv2dNative BiasAdd${act ? `+${act}` : ''}`,
      inputs: img(7, 9, 4),
      build: (g, rand) => {
        const args = [rand([4]), ...(act === 'Prelu' ? [rand([1, 1, 4])] : [])];
        return [
          g.op('FusedDepthwiseConv2dNative', [X, rand([3, 3, 4, 1]), ...args], {
            strides: a.ints([1, 1, 1, 1]),
            dilations: a.ints([1, 1, 1, 1]),
            padding: a.s('VALID'),
            data_format: a.s('NHWC'),
            fused_ops: a.strs(act ? ['BiasAdd', act] : ['BiasAdd']),
            num_args: a.i(args.length),
          }),
        ];
      },
    });
  }
}

// Element-wise ops after a convolution (NCHW region) and on a 2-D tensor, with broadcasting.
const binaries = ['Add', 'AddV2', 'Sub', 'Mul', 'Maximum', 'Minimum', 'RealDiv'];
for (const op of binaries) {
  cases.push({
    name: `${op} (conv output with per-channel constant, scalar and 4-D tensor)`,
    inputs: img(5, 6, 3),
    build: (g, rand) => {
      const c = conv(g, rand, X, [3, 3, 3, 4], 1, 1, 'SAME');
      const perChannel = g.op(op, [c, g.const(randomArray(4, 3, 0.5, 2), [4])]);
      const scalar = g.op(op, [perChannel, g.const([1.5], [])]);
      // A second 4-D operand in [0.5, 1.5], so RealDiv stays finite.
      const other = g.op('Add', [g.op('Sigmoid', [conv(g, rand, X, [1, 1, 3, 4], 1, 1, 'SAME')]), g.const([0.5], [])]);
      return [g.op(op, [scalar, other]), g.op(op, [other, g.const(randomArray(4, 4, 0.5, 2), [1, 1, 1, 4])])];
    },
  });
  cases.push({
    name: `${op} on 2-D tensors with row broadcasting`,
    inputs: { x: [2, 5], y: [1, 5] },
    build: (g) => [g.op(op, ['x', 'y'])],
    range: op === 'RealDiv' ? [0.5, 2] : undefined,
  });
}
for (const op of ['Abs', 'Square', 'Rsqrt', 'Sigmoid', 'Relu', 'Relu6', 'Tanh', 'Exp', 'Neg', 'Sqrt', 'Elu']) {
  cases.push({
    name: `${op} on a conv output and on the input`,
    inputs: img(4, 5, 3),
    build: (g, rand) => {
      const c = conv(g, rand, X, [1, 1, 3, 2], 1, 1, 'VALID');
      const positive = op === 'Rsqrt' || op === 'Sqrt';
      return [g.op(op, [positive ? g.op('Add', [g.op('Abs', [c]), g.const([0.1], [])]) : c]), g.op(op, [X])];
    },
    range: op === 'Rsqrt' || op === 'Sqrt' ? [0.1, 3] : [-4, 4],
  });
}
cases.push({
  name: 'Prelu (alpha [1, 1, C]) and LeakyRelu',
  inputs: img(5, 5, 3),
  build: (g, rand) => {
    const c = conv(g, rand, X, [3, 3, 3, 4], 1, 1, 'SAME');
    return [g.op('Prelu', [c, rand([1, 1, 4])]), g.op('LeakyRelu', [c], { alpha: a.f(0.1) })];
  },
});
cases.push({
  name: 'decomposed PReLU relu(x) + (x - |x|) * c (fused to PRelu), both operand orders, and a shared x left alone',
  inputs: img(5, 5, 3),
  build: (g, rand) => {
    const c = conv(g, rand, X, [3, 3, 3, 4], 1, 1, 'SAME');
    const prelu = (x: string, swap: boolean) => {
      const relu = g.op('Relu', [x]);
      const mul = g.op('Mul', swap ? [rand([4]), g.op('Sub', [x, g.op('Abs', [x])])] : [g.op('Sub', [x, g.op('Abs', [x])]), rand([4])]);
      return g.op('AddV2', swap ? [mul, relu] : [relu, mul]);
    };
    const first = prelu(c, false);
    const second = prelu(conv(g, rand, first, [1, 1, 4, 4], 1, 1, 'SAME'), true);
    // On a Relu output (as MobileFaceNet has it after its depthwise convolutions) it is the identity.
    const nonNegative = g.op('Relu', [second]);
    const onRelu = g.op('Add', [nonNegative, g.op('Mul', [g.op('Sub', [nonNegative, g.op('Abs', [nonNegative])]), rand([4])])]);
    // Here the Relu feeds another node too, so the pattern must stay as it is.
    const relu = g.op('Relu', [second]);
    const kept = g.op('Add', [relu, g.op('Mul', [g.op('Sub', [second, g.op('Abs', [second])]), rand([4])])]);
    return [kept, g.op('Neg', [relu]), onRelu];
  },
});
cases.push({
  name: 'Softmax on 4-D (NCHW region) and 2-D',
  inputs: { x: [1, 3, 4, 2], y: [3, 7] },
  build: (g, rand) => [g.op('Softmax', [conv(g, rand, X, [1, 1, 2, 5], 1, 1, 'VALID')]), g.op('Softmax', ['y'])],
});
for (const op of ['Sum', 'Mean', 'Max', 'Min']) {
  for (const [axes, keep] of [
    [[1, 2], false],
    [[1, 2], true],
    [[3], false],
    [[-1], true],
    [[0, 3], false],
  ] as [number[], boolean][]) {
    cases.push({
      name: `${op} axes [${axes}] keep_dims ${keep} (conv output and input)`,
      inputs: img(5, 3, 4, 2),
      build: (g, rand) => {
        const c = conv(g, rand, X, [3, 3, 4, 3], 1, 1, 'SAME');
        const ax = g.const(Int32Array.from(axes), [axes.length], 'int32');
        return [g.op(op, [c, ax], { keep_dims: a.b(keep), Tidx: a.type('DT_INT32') }), g.op(op, [X, ax], { keep_dims: a.b(keep), Tidx: a.type('DT_INT32') })];
      },
    });
  }
}
for (const padding of ['SAME', 'VALID']) {
  for (const op of ['MaxPool', 'AvgPool']) {
    cases.push({
      name: `${op} ${padding} 3x3 stride 2 on odd sizes`,
      inputs: img(9, 8, 3),
      build: (g, rand) => [
        g.op(op, [conv(g, rand, X, [1, 1, 3, 3], 1, 1, 'VALID')], { ksize: a.ints([1, 3, 3, 1]), strides: a.ints([1, 2, 2, 1]), padding: a.s(padding), data_format: a.s('NHWC') }),
        g.op(op, [X], { ksize: a.ints([1, 2, 3, 1]), strides: a.ints([1, 2, 1, 1]), padding: a.s(padding), data_format: a.s('NHWC') }),
      ],
    });
  }
}
cases.push({
  name: 'Pad: channels of a conv output (BlazeFace residual) and H/W of the input',
  inputs: img(5, 4, 3),
  build: (g, rand) => [
    g.op('Pad', [conv(g, rand, X, [3, 3, 3, 2], 2, 1, 'SAME'), g.const(Int32Array.from([0, 0, 0, 0, 0, 0, 0, 3]), [4, 2], 'int32')]),
    g.op('Pad', [X, g.const(Int32Array.from([0, 0, 1, 2, 0, 1, 0, 0]), [4, 2], 'int32')]),
  ],
});
cases.push({
  name: 'MatMul (transpose_b) and _FusedMatMul BiasAdd+Relu',
  inputs: { x: [3, 6] },
  build: (g, rand) => [
    g.op('MatMul', [X, rand([5, 6])], { transpose_a: a.b(false), transpose_b: a.b(true) }),
    g.op('_FusedMatMul', [X, rand([6, 4]), rand([4])], { transpose_a: a.b(false), transpose_b: a.b(false), fused_ops: a.strs(['BiasAdd', 'Relu']), num_args: a.i(1) }),
  ],
});
cases.push({
  name: 'Reshape, Squeeze, ExpandDims, Identity after convolutions',
  inputs: img(4, 4, 3),
  build: (g, rand) => {
    const c = conv(g, rand, X, [4, 4, 3, 5], 1, 1, 'VALID'); // [1, 1, 1, 5]
    const sq = g.op('Squeeze', [c], { squeeze_dims: a.ints([1, 2]) });
    const c2 = conv(g, rand, X, [3, 3, 3, 2], 1, 1, 'SAME');
    const r = g.op('Reshape', [c2, g.const(Int32Array.from([1, -1, 4]), [3], 'int32')], { Tshape: a.type('DT_INT32') });
    const e = g.op('ExpandDims', [sq, g.const(Int32Array.from([-1]), [], 'int32')]);
    return [g.op('Identity', [sq]), r, e];
  },
});
cases.push({
  name: 'ConcatV2 over channels (NCHW region) and over a 2-D axis; Pack',
  inputs: { x: [1, 5, 5, 3], y: [2, 3] },
  build: (g, rand) => {
    const c1 = conv(g, rand, X, [3, 3, 3, 2], 1, 1, 'SAME');
    const c2 = conv(g, rand, X, [1, 1, 3, 4], 1, 1, 'SAME');
    return [
      g.op('ConcatV2', [c1, c2, g.const(Int32Array.from([3]), [], 'int32')], { N: a.i(2) }),
      g.op('ConcatV2', [c1, c2, g.const(Int32Array.from([-1]), [], 'int32')], { N: a.i(2) }),
      g.op('ConcatV2', ['y', 'y', g.const(Int32Array.from([0]), [], 'int32')], { N: a.i(2) }),
      g.op('Pack', ['y', 'y', 'y'], { axis: a.i(1), N: a.i(3) }),
    ];
  },
});
const sliceCases: [string, number[], number[], number[], Record<string, number>][] = [
  ['plain', [0, 1, 0, 1], [1, 4, 5, 3], [1, 1, 2, 1], {}],
  ['begin/end masks', [0, 1, 2, 0], [0, 0, 0, 2], [1, 2, 1, 1], { begin_mask: 0b0001, end_mask: 0b0110 }],
  ['negative indices and stride', [0, -1, -2, 0], [1, -5, 0, 3], [1, -1, -2, 1], { end_mask: 0b1000 }],
  ['shrink axis', [0, 2, 0, 1], [1, 3, 5, 2], [1, 1, 1, 1], { shrink_axis_mask: 0b1010 }],
  ['ellipsis + shrink last', [0, 1], [0, 2], [1, 1], { ellipsis_mask: 0b01, shrink_axis_mask: 0b10 }],
  ['new axis', [0, 0, 1], [0, 0, 3], [1, 1, 1], { new_axis_mask: 0b010, begin_mask: 0b001, end_mask: 0b001 }],
];
for (const [label, begin, end, strides, masks] of sliceCases) {
  cases.push({
    name: `StridedSlice ${label}`,
    inputs: img(5, 6, 3),
    build: (g) => [
      g.op(
        'StridedSlice',
        [X, g.const(Int32Array.from(begin), [begin.length], 'int32'), g.const(Int32Array.from(end), [end.length], 'int32'), g.const(Int32Array.from(strides), [strides.length], 'int32')],
        Object.fromEntries(['begin_mask', 'end_mask', 'ellipsis_mask', 'new_axis_mask', 'shrink_axis_mask'].map((k) => [k, a.i(masks[k] ?? 0)])),
      ),
    ],
  });
}
cases.push({
  name: 'Shape of a dynamic batch -> StridedSlice -> Pack -> Reshape (MediaPipe head pattern)',
  inputs: { x: [-1, 4, 4, 3] },
  build: (g, rand) => {
    const c = conv(g, rand, X, [1, 1, 3, 6], 1, 1, 'VALID');
    const shape = g.op('Shape', [c], { out_type: a.type('DT_INT32') });
    const i32 = (v: number[]) => g.const(Int32Array.from(v), [v.length], 'int32');
    const batch = g.op('StridedSlice', [shape, i32([0]), i32([1]), i32([1])], { shrink_axis_mask: a.i(1), begin_mask: a.i(0), end_mask: a.i(0), ellipsis_mask: a.i(0), new_axis_mask: a.i(0) });
    const target = g.op('Pack', [batch, g.const(Int32Array.from([32]), [], 'int32'), g.const(Int32Array.from([3]), [], 'int32')], { axis: a.i(0), N: a.i(3) });
    return [g.op('Reshape', [c, target])];
  },
});
cases.push({
  name: 'Transpose of a conv output',
  inputs: img(3, 4, 2),
  build: (g, rand) => [g.op('Transpose', [conv(g, rand, X, [1, 1, 2, 5], 1, 1, 'VALID'), g.const(Int32Array.from([0, 3, 2, 1]), [4], 'int32')])],
});
for (const [align, half] of [
  [false, false],
  [true, false],
  [false, true],
]) {
  cases.push({
    name: `ResizeBilinear align_corners ${align} half_pixel_centers ${half}`,
    inputs: img(5, 6, 2),
    build: (g) => [g.op('ResizeBilinear', [X, g.const(Int32Array.from([9, 13]), [2], 'int32')], { align_corners: a.b(align), half_pixel_centers: a.b(half) })],
  });
}
cases.push({
  name: 'DepthToSpace block 2',
  inputs: img(3, 4, 8),
  build: (g) => [g.op('DepthToSpace', [X], { block_size: a.i(2), data_format: a.s('NHWC') })],
});

const i32 = (g: TfGraph, v: number[], shape = [v.length]) => g.const(Int32Array.from(v), shape, 'int32');
const f32 = (g: TfGraph, v: number[], shape = [v.length]) => g.const(Float32Array.from(v), shape);
cases.push({
  name: 'GatherV2, Tile, Fill, Range, ZerosLike, Cast, Unpack, AddN',
  inputs: { x: [2, 5] },
  build: (g) => {
    const gather = g.op('GatherV2', [X, i32(g, [4, 0, 2]), i32(g, [1], [])], { batch_dims: a.i(0), Tparams: a.type('DT_FLOAT'), Tindices: a.type('DT_INT32') });
    const tile = g.op('Tile', [X, i32(g, [2, 1])]);
    const fill = g.op('Add', [g.op('Fill', [i32(g, [2, 5]), f32(g, [0.5], [])]), X]);
    const range = g.op('Add', [X, g.op('Range', [f32(g, [0], []), f32(g, [5], []), f32(g, [1], [])], { Tidx: a.type('DT_FLOAT') })]);
    const zeros = g.op('Add', [g.op('ZerosLike', [X]), X]);
    const ints = g.op('Cast', [g.op('Mul', [X, f32(g, [10], [])])], { SrcT: a.type('DT_FLOAT'), DstT: a.type('DT_INT32') });
    const cast = g.op('Cast', [ints], { SrcT: a.type('DT_INT32'), DstT: a.type('DT_FLOAT') });
    const unpack = g.op('Unpack', [X], { num: a.i(2), axis: a.i(0) });
    const rows = g.op('AddN', [unpack, `${unpack}:1`, unpack], { N: a.i(3) });
    return [gather, tile, fill, range, zeros, cast, rows];
  },
});
cases.push({
  name: 'comparisons, logical ops, Select and SelectV2',
  inputs: { x: [3, 4], y: [3, 4] },
  build: (g) => {
    const gt = g.op('Greater', [X, 'y']);
    const le = g.op('LessEqual', [X, f32(g, [0.2], [])]);
    const both = g.op('LogicalAnd', [g.op('GreaterEqual', [X, f32(g, [-0.5], [])]), g.op('Less', ['y', f32(g, [0.5], [])])]);
    const either = g.op('LogicalOr', [g.op('LogicalNot', [gt]), g.op('Equal', [X, X])]);
    return [
      g.op('SelectV2', [gt, X, 'y']),
      g.op('Select', [le, 'y', X]),
      g.op('SelectV2', [both, X, f32(g, [7], [])]),
      g.op('SelectV2', [either, 'y', f32(g, [-7], [])]),
    ];
  },
});
const mathOps: [string, (g: TfGraph, x: string, y: string) => string][] = [
  ['Pow', (g, x, y) => g.op('Pow', [g.op('Add', [g.op('Abs', [x]), f32(g, [0.5], [])]), y])],
  ['Floor, Ceil, Round, Sign', (g, x) => g.op('AddN', ['Floor', 'Ceil', 'Round', 'Sign'].map((op) => g.op(op, [g.op('Mul', [x, f32(g, [3.3], [])])])), { N: a.i(4) })],
  ['Sin, Cos', (g, x) => g.op('Add', [g.op('Sin', [x]), g.op('Cos', [x])])],
  ['Log', (g, x) => g.op('Log', [g.op('Add', [g.op('Abs', [x]), f32(g, [0.1], [])])])],
  ['Softplus, Selu', (g, x) => g.op('Add', [g.op('Softplus', [x]), g.op('Selu', [x])])],
  ['Reciprocal', (g, x) => g.op('Reciprocal', [g.op('Add', [g.op('Abs', [x]), f32(g, [0.5], [])])])],
  ['FloorDiv', (g, x, y) => g.op('FloorDiv', [g.op('Mul', [x, f32(g, [5], [])]), g.op('Add', [g.op('Abs', [y]), f32(g, [0.5], [])])])],
  ['SquaredDifference', (g, x, y) => g.op('SquaredDifference', [x, y])],
  ['LogSoftmax', (g, x) => g.op('LogSoftmax', [x])],
  ['Prod', (g, x) => g.op('Prod', [x, i32(g, [1])], { keep_dims: a.b(false) })],
];
for (const [label, build] of mathOps) {
  cases.push({ name: label, inputs: { x: [3, 4], y: [3, 4] }, build: (g) => [build(g, X, 'y')] });
}
cases.push({
  name: 'BiasAdd on a conv output, MirrorPad REFLECT, PadV2 with a value',
  inputs: img(5, 6, 3),
  build: (g, rand) => {
    const c = conv(g, rand, X, [3, 3, 3, 4], 1, 1, 'VALID');
    return [
      g.op('BiasAdd', [c, rand([4])], { data_format: a.s('NHWC') }),
      g.op('MirrorPad', [c, i32(g, [0, 0, 1, 2, 2, 1, 0, 0], [4, 2])], { mode: a.s('REFLECT') }),
      g.op('PadV2', [X, i32(g, [0, 0, 1, 0, 0, 2, 1, 1], [4, 2]), f32(g, [-3], [])]),
    ];
  },
});
cases.push({
  name: 'BatchMatMulV2 with adj_x / adj_y',
  inputs: { x: [2, 3, 4], y: [2, 5, 4] },
  build: (g) => [
    g.op('BatchMatMulV2', [X, 'y'], { adj_x: a.b(false), adj_y: a.b(true) }),
    g.op('BatchMatMulV2', [g.op('Transpose', [X, i32(g, [0, 2, 1])]), g.op('Transpose', ['y', i32(g, [0, 2, 1])])], { adj_x: a.b(true), adj_y: a.b(false) }),
  ],
});

describe('per-op conversion matches tfjs', () => {
  beforeAll(tfReady);
  for (const c of cases) {
    it(c.name, async () => {
      await check(c, 'nchw');
      await check(c, 'transpose');
    });
  }
});

describe('graph rewrites', () => {
  it('MobileFaceNet decomposed PReLUs become one PReLU each', async () => {
    const { convertTfjsGraph } = await import('../../../src/models/convert/convert.js');
    const { decodeOnnxModel } = await import('../../../src/models/convert/onnx-proto.js');
    const { humanModelJsonPath } = await import('../../../src/models/convert/default-models.js');
    const model = decodeOnnxModel(await convertTfjsGraph(humanModelJsonPath('mobilefacenet')));
    const ops = model.graph.node.map((n) => n.opType);
    // 17 are relu(x) + c(x - |x|) on a convolution; 16 act on an output already passed through
    // Relu, where the pattern is the identity.
    // PReLU is written relu(x) + min(x, 0) * slope: one Min per PReLU.
    expect(ops.filter((o) => o === 'Min').length).toBe(17);
    expect(ops).not.toContain('Abs');
  });
});
