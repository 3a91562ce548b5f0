// The onnxruntime peer: ONNX models built in memory (no file, no download). Gemm(transB=1)
// computes every query x gallery score; TopK keeps the best k per query. The gallery is a graph
// input, not an initializer, so it is passed per run without being copied into the model.
import protobuf from 'protobufjs';
import ort from 'onnxruntime-node';

// The few ONNX messages these graphs need, with onnx.proto's field numbers.
const ONNX_SUBSET = `
syntax = "proto2";
package onnx;
message AttributeProto {
  optional string name = 1;
  optional int64 i = 3;
  optional int32 type = 20;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
}
message TensorProto {
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
}
message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
  }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
}
message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
}
message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}
message ModelProto {
  optional int64 ir_version = 1;
  optional string producer_name = 2;
  optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}
`;

const ModelProto = protobuf.parse(ONNX_SUBSET).root.lookupType('onnx.ModelProto');
const FLOAT = 1;
const INT64 = 7;
const ATTR_INT = 2;

/** A tensor value: dims are numbers (fixed) or strings (symbolic). */
function valueInfo(name, elemType, dims) {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function encodeModel(graph) {
  const model = { irVersion: 8, producerName: 'facecore-bench', graph, opsetImport: [{ domain: '', version: 17 }] };
  const err = ModelProto.verify(model);
  if (err) throw new Error(`ONNX model: ${err}`);
  return ModelProto.encode(ModelProto.create(model)).finish();
}

const gemmNode = (output) => ({
  opType: 'Gemm', name: 'scores', input: ['queries', 'gallery'], output: [output],
  attribute: [{ name: 'transB', i: 1, type: ATTR_INT }],
});

/** queries [q, dim], gallery [n, dim] -> scores [q, k], indices [q, k] (int64), best first. */
export function topKModel(dim, k) {
  return encodeModel({
    name: 'gemm_topk',
    node: [
      gemmNode('all_scores'),
      {
        opType: 'TopK', name: 'topk', input: ['all_scores', 'k'], output: ['scores', 'indices'],
        attribute: [{ name: 'axis', i: -1, type: ATTR_INT }],
      },
    ],
    initializer: [{ name: 'k', dataType: INT64, dims: [1], int64Data: [k] }],
    input: [valueInfo('queries', FLOAT, ['q', dim]), valueInfo('gallery', FLOAT, ['n', dim])],
    output: [valueInfo('scores', FLOAT, ['q', k]), valueInfo('indices', INT64, ['q', k])],
  });
}

/** a [na, dim], b [nb, dim] -> scores [na, nb] (dot products). */
export function similarityModel(dim) {
  return encodeModel({
    name: 'gemm',
    node: [gemmNode('scores')],
    input: [valueInfo('queries', FLOAT, ['q', dim]), valueInfo('gallery', FLOAT, ['n', dim])],
    output: [valueInfo('scores', FLOAT, ['q', 'n'])],
  });
}

/** A session on `threads` intra-op threads, the way a user would run it on a CPU. */
export function createSession(model, threads) {
  return ort.InferenceSession.create(model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
}

/** Wraps a row-major Float32Array (rows x dim) as an input tensor without copying it. */
export function tensor(data, dim) {
  return new ort.Tensor('float32', data, [data.length / dim, dim]);
}
