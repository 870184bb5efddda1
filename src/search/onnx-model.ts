import protobuf from 'protobufjs';

/**
 * Builds small ONNX models in code, so a native kernel of onnxruntime can run an operator graph that is
 * written here rather than shipped as a binary. protobufjs encodes the messages; the schema below is the
 * subset of onnx/onnx.proto (field numbers as there) that such graphs need.
 */

const ONNX_SUBSET = `
syntax = "proto2";
package onnx;
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; }
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message AttributeProto {
  optional string name = 1;
  optional int32 type = 20;
  optional int64 i = 3;
  repeated int64 ints = 8;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
}
message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message ModelProto {
  optional int64 ir_version = 1;
  optional string producer_name = 2;
  optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}
`;

const ModelProto = protobuf.parse(ONNX_SUBSET).root.lookupType('onnx.ModelProto');

/** TensorProto.DataType codes. */
const ELEM_TYPE = { float32: 1, int64: 7 } as const;
/** AttributeProto.AttributeType codes for the attribute kinds used here. */
const ATTR_INT = 2;
const ATTR_INTS = 7;
/** IR version 8 (ONNX 1.10+) is read by every onnxruntime this project can install. */
const IR_VERSION = 8;

export interface OnnxValue {
  name: string;
  type: keyof typeof ELEM_TYPE;
  /** A number is a fixed size; a string names a size given at run time. */
  shape: (number | string)[];
}

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Integer and integer-list attributes (all that the graphs here use). */
  attributes?: Record<string, number | number[]>;
}

export interface OnnxGraph {
  name: string;
  /** Default-domain opset version the nodes are written against. */
  opset: number;
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  /** Topologically sorted. */
  nodes: OnnxNode[];
}

const valueInfo = (v: OnnxValue) => ({
  name: v.name,
  type: {
    tensorType: {
      elemType: ELEM_TYPE[v.type],
      shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  },
});

const attribute = (name: string, value: number | number[]) =>
  Array.isArray(value) ? { name, type: ATTR_INTS, ints: value } : { name, type: ATTR_INT, i: value };

/** The serialised ModelProto, ready for `InferenceSession.create(bytes)`. */
export function encodeOnnxModel(graph: OnnxGraph): Uint8Array {
  const model = ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'beir-bench',
    opsetImport: [{ domain: '', version: graph.opset }],
    graph: {
      name: graph.name,
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
      node: graph.nodes.map((n, i) => ({
        name: `${n.op.toLowerCase()}_${i}`,
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attribute(k, v)),
      })),
    },
  });
  return ModelProto.encode(model).finish();
}
