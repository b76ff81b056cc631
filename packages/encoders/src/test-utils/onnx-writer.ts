/**
 * A minimal ONNX protobuf writer for tests: just enough of ModelProto to express a graph of
 * a few nodes with float initializers and typed inputs/outputs. Field numbers follow
 * onnx/onnx.proto (ir_version 8, default-domain opset 13).
 */

class ProtoWriter {
  private readonly bytes: number[] = [];

  private varint(value: number | bigint): void {
    let v = BigInt(value);
    if (v < 0n) v += 1n << 64n;
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      this.bytes.push(byte);
    } while (v > 0n);
  }

  int(field: number, value: number | bigint): this {
    this.varint((field << 3) | 0);
    this.varint(value);
    return this;
  }

  raw(field: number, data: Uint8Array): this {
    this.varint((field << 3) | 2);
    this.varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }

  string(field: number, text: string): this {
    return this.raw(field, new TextEncoder().encode(text));
  }

  message(field: number, inner: ProtoWriter): this {
    return this.raw(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

const p = (): ProtoWriter => new ProtoWriter();

/** ONNX element types used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Integer attributes (e.g. `{ axis: 0 }`). */
  intAttributes?: Record<string, number>;
}

export interface OnnxValue {
  name: string;
  elemType: number;
  /** Numbers are fixed sizes, strings symbolic dimensions. */
  shape: Array<number | string>;
}

export interface OnnxInitializer {
  name: string;
  dims: number[];
  values: Float32Array;
}

function valueInfo(value: OnnxValue): ProtoWriter {
  const shape = p();
  for (const d of value.shape) shape.message(1, typeof d === "number" ? p().int(1, d) : p().string(2, d));
  const tensorType = p().int(1, value.elemType).message(2, shape);
  return p().string(1, value.name).message(2, p().message(1, tensorType));
}

/** Serialises a one-graph ONNX model. */
export function writeOnnxModel(graph: {
  nodes: OnnxNode[];
  initializers: OnnxInitializer[];
  inputs: OnnxValue[];
  outputs: OnnxValue[];
}): Uint8Array {
  const g = p();
  graph.nodes.forEach((node, i) => {
    const n = p();
    for (const input of node.inputs) n.string(1, input);
    for (const output of node.outputs) n.string(2, output);
    n.string(3, `${node.op}_${i}`).string(4, node.op);
    // AttributeProto: name = 1, i = 3, type = 20 (INT = 2).
    for (const [name, value] of Object.entries(node.intAttributes ?? {}))
      n.message(5, p().string(1, name).int(3, value).int(20, 2));
    g.message(1, n);
  });
  g.string(2, "test-graph");
  for (const init of graph.initializers) {
    const t = p();
    for (const d of init.dims) t.int(1, d);
    t.int(2, ONNX_FLOAT).string(8, init.name);
    t.raw(9, new Uint8Array(init.values.buffer, init.values.byteOffset, init.values.byteLength));
    g.message(5, t);
  }
  for (const input of graph.inputs) g.message(11, valueInfo(input));
  for (const output of graph.outputs) g.message(12, valueInfo(output));
  return p().int(1, 8).string(2, "llminit-test").message(7, g).message(8, p().string(1, "").int(2, 13)).finish();
}
