// IEEE 754 half -> single precision. Every half value is exactly representable in float32,
// so this is exact (tfjs-core's float16 decoder gives the same values).

const table = new Float32Array(65536);
let built = false;

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // subnormal or zero
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Decodes float16 bit patterns to float32 values. */
export function decodeFloat16(bits: Uint16Array): Float32Array {
  if (!built) {
    for (let i = 0; i < 65536; i++) table[i] = halfToFloat(i);
    built = true;
  }
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}
