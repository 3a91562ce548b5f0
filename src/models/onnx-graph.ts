// Reads just enough of an .onnx file (a protobuf ModelProto) to see its first graph nodes:
// insightface's model router decides a recogniser's input normalisation from them.
// Wire format: ModelProto.graph = field 7, GraphProto.node = field 1, NodeProto.name = 3,
// NodeProto.op_type = 4 (github.com/onnx/onnx, onnx/onnx.proto).
import protobuf from 'protobufjs';

export interface NodeSummary {
  name: string;
  opType: string;
}

/** The first `limit` nodes of the model's graph (fewer if it has fewer); [] if none found. */
export function firstNodes(bytes: Uint8Array, limit = 8): NodeSummary[] {
  const model = protobuf.Reader.create(bytes);
  while (model.pos < model.len) {
    const tag = model.uint32();
    if (tag >>> 3 === 7 && (tag & 7) === 2) return graphNodes(protobuf.Reader.create(model.bytes()), limit);
    model.skipType(tag & 7);
  }
  return [];
}

function graphNodes(graph: protobuf.Reader, limit: number): NodeSummary[] {
  const nodes: NodeSummary[] = [];
  while (graph.pos < graph.len && nodes.length < limit) {
    const tag = graph.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 2) {
      const node = protobuf.Reader.create(graph.bytes());
      const summary: NodeSummary = { name: '', opType: '' };
      while (node.pos < node.len) {
        const t = node.uint32();
        if (t >>> 3 === 3 && (t & 7) === 2) summary.name = node.string();
        else if (t >>> 3 === 4 && (t & 7) === 2) summary.opType = node.string();
        else node.skipType(t & 7);
      }
      nodes.push(summary);
    } else {
      graph.skipType(tag & 7);
    }
  }
  return nodes;
}
