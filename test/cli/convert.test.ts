// `facecore convert` end to end through main(): a real tfjs model in, a loadable ONNX file out.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { humanModelJsonPath } from '../../src/models/convert/default-models.js';
import { capture } from './capture.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'facecore-cli-convert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('facecore convert', () => {
  it('converts a human-models face model to a loadable ONNX file', async () => {
    const c = capture();
    expect(await main(['convert', humanModelJsonPath('liveness'), 'liveness.onnx'], { ...c, cwd: dir })).toBe(0);
    expect(c.out()).toMatch(/^liveness\.onnx: \d+ bytes, converted in \d+ ms\n$/);
    const session = await ort.InferenceSession.create(path.join(dir, 'liveness.onnx'));
    expect(session.inputNames).toEqual(['conv2d_1_input']);
  });

  it('--json, --input-layout nchw and --dynamic-batch', async () => {
    const c = capture();
    const out = path.join(dir, 'blazeface.onnx');
    expect(await main(['convert', humanModelJsonPath('blazeface'), out, '--input-layout', 'nchw', '--dynamic-batch', '--json'], { ...c, cwd: dir })).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ output: out, bytes: expect.any(Number) });
    const session = await ort.InferenceSession.create(out);
    const res = await session.run({ input: new ort.Tensor('float32', new Float32Array(2 * 3 * 256 * 256), [2, 3, 256, 256]) });
    expect(Object.values(res)[0].dims[0]).toBe(2);
  });

  it('usage errors exit 2, conversion errors exit 1 with one line, nothing written', async () => {
    const u = capture();
    expect(await main(['convert', 'only-one.json'], { ...u, cwd: dir })).toBe(2);
    expect(u.err()).toMatch(/^facecore convert: expected <model.json> <out.onnx>, got 1 argument\(s\)\n/);
    const l = capture();
    expect(await main(['convert', 'a.json', 'b.onnx', '--input-layout', 'chwn'], { ...l, cwd: dir })).toBe(2);

    const bad = path.join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(path.join(bad, 'model.json'), JSON.stringify({ modelTopology: { node: [] }, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'w', shape: [4], dtype: 'float32' }] }] }));
    const e = capture();
    expect(await main(['convert', path.join(bad, 'model.json'), path.join(bad, 'out.onnx')], { ...e, cwd: dir })).toBe(1);
    expect(e.err()).toBe("facecore convert: model.json: cannot read weight shard 'w.bin' (ENOENT)\n");
    expect(existsSync(path.join(bad, 'out.onnx'))).toBe(false);
    expect(readdirSync(bad)).toEqual(['model.json']);
  });
});
