// Bad models get clear errors that name the file, node and op; nothing half-written is left.
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convertTfjsGraphCached, writeFileAtomic } from '../../../src/models/convert/cache.js';
import { ConversionError } from '../../../src/models/convert/context.js';
import { convertTfjsArtifacts, convertTfjsGraph } from '../../../src/models/convert/convert.js';
import { a, TfGraph } from '../../helpers/tfjs-graph.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'facecore-convert-errors-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirCount = 0;
/** Writes a model folder: model.json plus its shard(s); returns the model.json path. */
function writeModel(json: unknown, shards: Record<string, Uint8Array> = {}): string {
  const dir = path.join(root, `m${dirCount++}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'model.json'), typeof json === 'string' ? json : JSON.stringify(json));
  for (const [name, bytes] of Object.entries(shards)) writeFileSync(path.join(dir, name), bytes);
  return path.join(dir, 'model.json');
}

function smallGraph(op = 'Relu') {
  const g = new TfGraph();
  g.input('x', [1, 4, 4, 2]);
  const c = g.op('Conv2D', ['x', g.const(new Float32Array(2 * 3 * 9), [3, 3, 2, 3])], { strides: a.ints([1, 1, 1, 1]), padding: a.s('SAME'), data_format: a.s('NHWC') }, 'conv');
  g.op(op, [c], {}, 'act');
  return g.artifacts();
}

describe('malformed model.json', () => {
  it('not JSON', async () => {
    await expect(convertTfjsGraph(writeModel('{ "modelTopology": '))).rejects.toThrow(/model\.json: model\.json is not valid JSON/);
  });
  it('no topology', async () => {
    await expect(convertTfjsGraph(writeModel({ weightsManifest: [] }))).rejects.toThrow(/no modelTopology\.node array/);
  });
  it('a layers model', async () => {
    await expect(convertTfjsGraph(writeModel({ format: 'layers-model', modelTopology: {} }))).rejects.toThrow(/format is 'layers-model', expected 'graph-model'/);
  });
  it('a node without an op', async () => {
    await expect(convertTfjsGraph(writeModel({ modelTopology: { node: [{ name: 'x' }] } }))).rejects.toThrow(/node\[0\] must have string 'name' and 'op'/);
  });
  it('a weights manifest entry without a shape', async () => {
    await expect(convertTfjsGraph(writeModel({ modelTopology: { node: [] }, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'w', dtype: 'float32' }] }] }))).rejects.toThrow(/weights\[0\] must have 'name', 'shape' and 'dtype'/);
  });
  it('a path that is not a string', async () => {
    await expect(convertTfjsGraph(42 as unknown as string)).rejects.toThrow(TypeError);
  });
});

describe('weight shards', () => {
  it('missing shard names the file', async () => {
    const { modelJson } = smallGraph();
    await expect(convertTfjsGraph(writeModel(modelJson))).rejects.toThrow(/cannot read weight shard 'weights\.bin' \(ENOENT\)/);
  });
  it('short shard', async () => {
    const { modelJson, weightData } = smallGraph();
    const p = writeModel(modelJson, { 'weights.bin': weightData.subarray(0, weightData.length - 8) });
    await expect(convertTfjsGraph(p)).rejects.toThrow(/'weights\.bin' hold 208 bytes but their weights need 216 \(truncated/);
  });
  it('long shard', async () => {
    const { modelJson, weightData } = smallGraph();
    const p = writeModel(modelJson, { 'weights.bin': new Uint8Array([...weightData, 0, 0, 0, 0]) });
    await expect(convertTfjsGraph(p)).rejects.toThrow(/hold 220 bytes but their weights need 216/);
  });
  it('weight whose manifest shape disagrees with its node', async () => {
    const { modelJson, weightData } = smallGraph();
    modelJson.weightsManifest[0].weights[0].shape = [3, 3, 3, 2];
    await expect(async () => convertTfjsArtifacts({ modelJson, weightData }, { modelName: 'bad-weights' })).rejects.toThrow(
      /bad-weights: node 'const_0' \(op Const\): weight shape \[3, 3, 3, 2\] in weightsManifest does not match the node's shape \[3, 3, 2, 3\]/,
    );
  });
  it('in-memory weight data of the wrong size', () => {
    const { modelJson, weightData } = smallGraph();
    expect(() => convertTfjsArtifacts({ modelJson, weightData: weightData.subarray(4) }, { modelName: 'm' })).toThrow(/weight data holds 212 bytes but weightsManifest describes 216/);
  });
  it('quantised weight without scale', () => {
    const { modelJson, weightData } = smallGraph();
    Object.assign(modelJson.weightsManifest[0].weights[0], { quantization: { dtype: 'uint8' } });
    expect(() => convertTfjsArtifacts({ modelJson, weightData: weightData.subarray(0, 54) }, { modelName: 'm' })).toThrow(/uint8-quantised but lacks numeric 'scale' and 'min'/);
  });
});

describe('unsupported ops and attributes', () => {
  it('names the op, the node and the model', () => {
    const artifacts = smallGraph('Atan2');
    let err: unknown;
    try {
      convertTfjsArtifacts(artifacts, { modelName: 'tiny.json' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConversionError);
    expect((err as Error).message).toBe("tiny.json: node 'act' (op Atan2): unsupported op 'Atan2'");
    expect(err).toMatchObject({ op: 'Atan2', nodeName: 'act', modelName: 'tiny.json' });
  });
  it('an unsupported attribute value', () => {
    const g = new TfGraph();
    g.input('x', [1, 4, 4, 2]);
    g.op('MirrorPad', ['x', g.const(Int32Array.from([0, 0, 1, 1, 1, 1, 0, 0]), [4, 2], 'int32')], { mode: a.s('SYMMETRIC') }, 'pad');
    expect(() => convertTfjsArtifacts(g.artifacts(), { modelName: 'm.json' })).toThrow("m.json: node 'pad' (op MirrorPad): MirrorPad mode 'SYMMETRIC' is not supported (REFLECT only)");
  });
  it('an NCHW convolution', () => {
    const g = new TfGraph();
    g.input('x', [1, 2, 4, 4]);
    g.op('Conv2D', ['x', g.const(new Float32Array(36), [3, 3, 2, 2])], { strides: a.ints([1, 1, 1, 1]), padding: a.s('SAME'), data_format: a.s('NCHW') }, 'conv');
    expect(() => convertTfjsArtifacts(g.artifacts(), { modelName: 'm.json' })).toThrow("m.json: node 'conv' (op Conv2D): unsupported data_format 'NCHW' (NHWC only)");
  });
  it('a non-constant filter', () => {
    const g = new TfGraph();
    g.input('x', [1, 4, 4, 2]);
    g.input('w', [3, 3, 2, 2]);
    g.op('Conv2D', ['x', 'w'], { strides: a.ints([1, 1, 1, 1]), padding: a.s('SAME') }, 'conv');
    expect(() => convertTfjsArtifacts(g.artifacts(), { modelName: 'm.json' })).toThrow("m.json: node 'conv' (op Conv2D): the filter must be a constant");
  });
  it('a dangling input', () => {
    const g = new TfGraph();
    g.input('x', [1, 4]);
    g.op('Relu', ['nowhere'], {}, 'r');
    expect(() => convertTfjsArtifacts(g.artifacts(), { modelName: 'm.json' })).toThrow("m.json: node 'r' reads missing node 'nowhere'");
  });
});

describe('the cache never holds a half-written file', () => {
  it('a failed conversion writes nothing', async () => {
    const { modelJson, weightData } = smallGraph('Atan2');
    const cacheDir = path.join(root, 'cache-fail');
    mkdirSync(cacheDir);
    await expect(convertTfjsGraphCached(writeModel(modelJson, { 'weights.bin': weightData }), { cacheDir })).rejects.toThrow(/unsupported op 'Atan2'/);
    expect(readdirSync(cacheDir)).toEqual([]);
  });
  it('a failed rename removes the temporary file', async () => {
    const dir = path.join(root, 'atomic');
    mkdirSync(path.join(dir, 'target.onnx'), { recursive: true }); // a folder where the file should go
    await expect(writeFileAtomic(path.join(dir, 'target.onnx'), new Uint8Array(10))).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['target.onnx']);
  });
  it('writes the file whole', async () => {
    const dir = path.join(root, 'atomic-ok');
    mkdirSync(dir);
    await writeFileAtomic(path.join(dir, 'x.onnx'), new Uint8Array([1, 2, 3]));
    expect(readdirSync(dir)).toEqual(['x.onnx']);
    expect([...readFileSync(path.join(dir, 'x.onnx'))]).toEqual([1, 2, 3]);
  });
});
