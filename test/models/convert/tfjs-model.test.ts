// Weight decoding must give exactly what tfjs gives: float32 and int32 as stored, float16 and
// uint8/uint16 affine quantisation dequantised the same way.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeFloat16 } from '../../../src/models/convert/float16.js';
import { decodeTfjsWeights, parseTfjsModelJson, type TfWeightSpec } from '../../../src/models/convert/tfjs-model.js';
import { randomArray, tfReady } from '../../helpers/tfjs-reference.js';

function tfDecode(bytes: Uint8Array, specs: TfWeightSpec[]): Record<string, ArrayLike<number>> {
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const map = tf.io.decodeWeights(buf, specs as tf.io.WeightsManifestEntry[]);
  return Object.fromEntries(Object.entries(map).map(([k, t]) => [k, t.dataSync() as ArrayLike<number>]));
}

function sameValues(got: ArrayLike<number>, want: ArrayLike<number>): boolean {
  if (got.length !== want.length) return false;
  for (let i = 0; i < got.length; i++) if (!Object.is(got[i], want[i])) return false;
  return true;
}

function decodeOurs(bytes: Uint8Array, specs: TfWeightSpec[]) {
  const model = parseTfjsModelJson({ modelTopology: { node: [] }, weightsManifest: [{ paths: ['w.bin'], weights: specs }] }, 'test');
  return decodeTfjsWeights(model, bytes, 'test');
}

describe('weight decoding equals tfjs', () => {
  beforeAll(tfReady);

  it('float16: all 65536 bit patterns (zeros, subnormals, infinities, NaN)', () => {
    const bits = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const bytes = new Uint8Array(bits.buffer);
    const spec: TfWeightSpec = { name: 'h', shape: [65536], dtype: 'float32', quantization: { dtype: 'float16' } };
    const want = tfDecode(bytes, [spec]).h;
    expect(sameValues(decodeFloat16(bits), want)).toBe(true);
    expect(sameValues(decodeOurs(bytes, [spec]).get('h')!.data as Float32Array, want)).toBe(true);
  });

  it('uint8 and uint16 affine quantisation, float32 and int32 targets, odd sizes and offsets', () => {
    const q8 = Uint8Array.from({ length: 7 }, (_, i) => (i * 37) % 256);
    const q16 = Uint16Array.from({ length: 5 }, (_, i) => (i * 12345) % 65536);
    const f32 = randomArray(3, 5);
    const i32 = Int32Array.from([-3, 0, 7]);
    const qi = Uint8Array.from([0, 1, 255]);
    const parts = [q8, new Uint8Array(1) /* keeps the next weight at an odd offset */, new Uint8Array(q16.buffer), new Uint8Array(f32.buffer), new Uint8Array(i32.buffer), qi];
    const specs: TfWeightSpec[] = [
      { name: 'a', shape: [7], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.0173, min: -1.3 } },
      { name: 'pad', shape: [1], dtype: 'bool' },
      { name: 'b', shape: [5], dtype: 'float32', quantization: { dtype: 'uint16', scale: 1.5e-4, min: -2.25 } },
      { name: 'c', shape: [3], dtype: 'float32' },
      { name: 'd', shape: [3], dtype: 'int32' },
      { name: 'e', shape: [3], dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.7, min: -10 } },
    ];
    const bytes = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
    let o = 0;
    for (const p of parts) {
      bytes.set(p, o);
      o += p.byteLength;
    }
    const want = tfDecode(bytes, specs);
    const ours = decodeOurs(bytes, specs);
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      expect(sameValues(ours.get(name)!.data as ArrayLike<number>, want[name]), name).toBe(true);
    }
    expect(ours.get('e')!.dtype).toBe('int32');
  });

  it('rejects unknown dtypes and quantisation kinds', () => {
    expect(() => decodeOurs(new Uint8Array(4), [{ name: 's', shape: [1], dtype: 'string' }])).toThrow("test: weight 's' has unsupported dtype 'string'");
    expect(() => decodeOurs(new Uint8Array(4), [{ name: 'q', shape: [1], dtype: 'float32', quantization: { dtype: 'int4' } }])).toThrow("test: weight 'q' has unsupported dtype 'int4'");
  });
});
