import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelPath } from '../../src/models/convert/index.js';
import { loadDetectorModel } from '../../src/models/detectors/index.js';
import { Recognizer } from '../../src/models/embedders/recognizer.js';
import { liveSessions, ModelSession } from '../../src/models/session.js';

// The converted npm models are always available (converted once, then cached).
let blazeface: string;
let faceres: string;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facecore-session-'));

beforeAll(async () => {
  blazeface = await defaultModelPath('blazeface');
  faceres = await defaultModelPath('faceres');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('ModelSession', () => {
  it('reports inputs and outputs, runs, and disposes once', async () => {
    const before = liveSessions();
    const s = await ModelSession.load(blazeface, { threads: 1 });
    expect(liveSessions()).toBe(before + 1);
    expect(s.inputs[0]!.dims).toEqual([1, 256, 256, 3]);
    expect(s.outputs).toHaveLength(4);
    const out = await s.run(new Float32Array(256 * 256 * 3), [1, 256, 256, 3]);
    expect(out.map((t) => t.data.length).sort((a, b) => a - b)).toEqual([384, 512, 384 * 16, 512 * 16]);
    await s.dispose();
    await s.dispose();
    expect(liveSessions()).toBe(before);
    await expect(s.run(new Float32Array(256 * 256 * 3), [1, 256, 256, 3])).rejects.toThrow(/disposed/);
  });

  it('hands a whole input buffer over with transfer (same outputs), and copies views', async () => {
    const s = await ModelSession.load(blazeface, { threads: 1 });
    try {
      const n = 256 * 256 * 3;
      const fill = (a: Float32Array) => { for (let i = 0; i < a.length; i++) a[i] = ((i * 7919) % 255) / 127.5 - 1; return a; };
      const copied = await s.run(fill(new Float32Array(n)), [1, 256, 256, 3]);
      const whole = fill(new Float32Array(n));
      const moved = await s.run(whole, [1, 256, 256, 3], undefined, true);
      expect(whole.length).toBe(0); // detached: it went to the inference thread
      expect(moved.map((t) => Array.from(t.data))).toEqual(copied.map((t) => Array.from(t.data)));
      const backing = new Float32Array(n + 4);
      const view = fill(backing.subarray(4));
      await s.run(view, [1, 256, 256, 3], undefined, true);
      expect(view.length).toBe(n); // a view into a larger buffer is copied, never detached
    } finally {
      await s.dispose();
    }
  });

  it('does not block the event loop while a model runs', async () => {
    // faceres on a batch of 4 takes tens of milliseconds: timers must keep firing meanwhile.
    const s = await ModelSession.load(faceres);
    try {
      const input = new Float32Array(4 * 224 * 224 * 3);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      const t0 = performance.now();
      for (let i = 0; i < 3; i++) await s.run(input, [4, 224, 224, 3]);
      const elapsed = performance.now() - t0;
      clearInterval(timer);
      // A blocking run would let at most one tick through per await; a free loop ticks about once a ms.
      expect(elapsed).toBeGreaterThan(20);
      expect(ticks).toBeGreaterThan(Math.min(10, elapsed / 10));
    } finally {
      await s.dispose();
    }
  });

  it('rejects missing, empty, truncated and non-ONNX model files without leaking sessions', async () => {
    const before = liveSessions();
    await expect(ModelSession.load(path.join(tmp, 'absent.onnx'))).rejects.toThrow(/file not found/);
    await expect(ModelSession.load(new Uint8Array(0))).rejects.toThrow(RangeError);
    await expect(ModelSession.load(tmp)).rejects.toThrow(TypeError);
    await expect(ModelSession.load(42 as never)).rejects.toThrow(TypeError);
    const truncated = path.join(tmp, 'truncated.onnx');
    fs.writeFileSync(truncated, fs.readFileSync(blazeface).subarray(0, 5000));
    await expect(ModelSession.load(truncated)).rejects.toThrow(/could not load it/);
    const text = path.join(tmp, 'readme.onnx');
    fs.writeFileSync(text, 'this is not a model\n');
    await expect(ModelSession.load(text)).rejects.toThrow(/could not load it/);
    await expect(ModelSession.load(blazeface, { threads: 0 })).rejects.toThrow(RangeError);
    await expect(ModelSession.load(blazeface, { optimization: 'max' as never })).rejects.toThrow(/optimization/);
    expect(liveSessions()).toBe(before);
  });

  it('rejects models with unexpected inputs or outputs, releasing their sessions', async () => {
    const before = liveSessions();
    // A recogniser is not a detector, and a detector is not a recogniser.
    await expect(loadDetectorModel(faceres)).rejects.toThrow(/expected a face detector/);
    await expect(Recognizer.load(blazeface)).rejects.toThrow(RangeError);
    expect(liveSessions()).toBe(before);
  });
});
