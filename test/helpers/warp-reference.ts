// Plain float64 references for alignment: OpenCV warpAffine's conventions (pixel centres at
// integer coordinates; each destination pixel inverse-mapped; bilinear over the 2x2
// neighbourhood, each neighbour outside the image taking the border value or the edge pixel)
// and skimage's Umeyama estimate, written from the papers' formulas with a numeric 2x2 SVD.
export interface RefImage { data: Uint8Array; width: number; height: number; channels: number; stride?: number }

export interface RefWarpOptions {
  width: number;
  height: number;
  interpolation?: 'bilinear' | 'nearest';
  border?: 'constant' | 'replicate';
  borderValue?: number[];
}

/** Inverse of a row-major 2x3 matrix. */
export function refInvert(m: ArrayLike<number>): number[] {
  const det = m[0] * m[4] - m[1] * m[3];
  const a = m[4] / det, b = -m[1] / det, d = -m[3] / det, e = m[0] / det;
  return [a, b, -(a * m[2] + b * m[5]), d, e, -(d * m[2] + e * m[5])];
}

/** Source value (float64, unrounded) of channel k at destination (x, y) of the warp by M. */
export function refSample(img: RefImage, inv: number[], x: number, y: number, k: number, o: RefWarpOptions): number {
  const stride = img.stride ?? img.width * img.channels;
  const sx = inv[0] * x + inv[1] * y + inv[2], sy = inv[3] * x + inv[4] * y + inv[5];
  const bv = o.borderValue?.[k] ?? 0;
  const px = (xi: number, yi: number): number => {
    if (o.border === 'replicate') {
      xi = Math.min(Math.max(xi, 0), img.width - 1);
      yi = Math.min(Math.max(yi, 0), img.height - 1);
    } else if (xi < 0 || yi < 0 || xi >= img.width || yi >= img.height) {
      return bv;
    }
    return img.data[yi * stride + xi * img.channels + k];
  };
  if (o.interpolation === 'nearest') return px(Math.floor(sx + 0.5), Math.floor(sy + 0.5));
  const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
  return (1 - fx) * (1 - fy) * px(x0, y0) + fx * (1 - fy) * px(x0 + 1, y0) + (1 - fx) * fy * px(x0, y0 + 1) + fx * fy * px(x0 + 1, y0 + 1);
}

/** Unrounded float64 warp: n x H x W x C. */
export function refWarp(img: RefImage, matrices: ArrayLike<number>[], o: RefWarpOptions): Float64Array {
  const c = img.channels, out = new Float64Array(matrices.length * o.height * o.width * c);
  matrices.forEach((m, i) => {
    const inv = refInvert(m);
    for (let y = 0; y < o.height; y++)
      for (let x = 0; x < o.width; x++)
        for (let k = 0; k < c; k++) out[((i * o.height + y) * o.width + x) * c + k] = refSample(img, inv, x, y, k, o);
  });
  return out;
}

/** SVD of a 2x2 matrix [[a, b], [c, d]] by the eigen-decomposition of AᵀA (Jacobi rotation). */
function svd2(A: number[][]): { U: number[][]; S: number[]; V: number[][] } {
  const [[a, b], [c, d]] = A;
  const p = a * a + c * c, q = a * b + c * d, r = b * b + d * d; // AᵀA = [[p, q], [q, r]]
  const theta = 0.5 * Math.atan2(2 * q, p - r);
  const cs = Math.cos(theta), sn = Math.sin(theta);
  const V = [[cs, -sn], [sn, cs]];
  const s1 = Math.hypot(a * cs + b * sn, c * cs + d * sn), s2 = Math.hypot(-a * sn + b * cs, -c * sn + d * cs);
  const u1 = s1 > 0 ? [(a * cs + b * sn) / s1, (c * cs + d * sn) / s1] : [1, 0];
  // Second column orthogonal to the first, sign chosen so that A v2 = s2 u2.
  let u2 = [-u1[1], u1[0]];
  const av2 = [-a * sn + b * cs, -c * sn + d * cs];
  if (u2[0] * av2[0] + u2[1] * av2[1] < 0) u2 = [u1[1], -u1[0]];
  const U = [[u1[0], u2[0]], [u1[1], u2[1]]];
  return { U, S: [s1, s2], V }; // A = U diag(S) Vᵀ
}

const det2 = (M: number[][]) => M[0][0] * M[1][1] - M[0][1] * M[1][0];
const mul2 = (A: number[][], B: number[][]) => [
  [A[0][0] * B[0][0] + A[0][1] * B[1][0], A[0][0] * B[0][1] + A[0][1] * B[1][1]],
  [A[1][0] * B[0][0] + A[1][1] * B[1][0], A[1][0] * B[0][1] + A[1][1] * B[1][1]],
];

/** skimage's _umeyama(src, dst, estimate_scale=True), line by line, for 2-D points. */
export function refUmeyama(src: ArrayLike<number>, dst: ArrayLike<number>): number[] {
  const n = src.length / 2;
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) { sx += src[2 * i]; sy += src[2 * i + 1]; dx += dst[2 * i]; dy += dst[2 * i + 1]; }
  sx /= n; sy /= n; dx /= n; dy /= n;
  const A = [[0, 0], [0, 0]];
  let varSum = 0;
  for (let i = 0; i < n; i++) {
    const s = [src[2 * i] - sx, src[2 * i + 1] - sy], t = [dst[2 * i] - dx, dst[2 * i + 1] - dy];
    for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) A[r][c] += (t[r] * s[c]) / n;
    varSum += (s[0] * s[0] + s[1] * s[1]) / n;
  }
  const dvec = [1, 1];
  if (det2(A) < 0) dvec[1] = -1;
  const { U, S, V } = svd2(A);
  const Vt = [[V[0][0], V[1][0]], [V[0][1], V[1][1]]];
  const rank = (S[0] > 1e-12 ? 1 : 0) + (S[1] > 1e-12 * Math.max(1, S[0]) ? 1 : 0);
  let R: number[][];
  if (rank === 1 && det2(U) * det2(Vt) <= 0) R = mul2(mul2(U, [[1, 0], [0, -1]]), Vt);
  else if (rank === 1) R = mul2(U, Vt);
  else R = mul2(mul2(U, [[dvec[0], 0], [0, dvec[1]]]), Vt);
  const scale = (S[0] * dvec[0] + S[1] * dvec[1]) / varSum;
  const tx = dx - scale * (R[0][0] * sx + R[0][1] * sy), ty = dy - scale * (R[1][0] * sx + R[1][1] * sy);
  return [scale * R[0][0], scale * R[0][1], tx, scale * R[1][0], scale * R[1][1], ty];
}

/** A similarity transform: rotation by `angle` (radians), uniform `scale`, then (tx, ty). */
export function similarity(angle: number, scale: number, tx: number, ty: number): number[] {
  const c = Math.cos(angle) * scale, s = Math.sin(angle) * scale;
  return [c, -s, tx, s, c, ty];
}

export function applyMatrix(m: ArrayLike<number>, pts: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < pts.length; i += 2) {
    out.push(m[0] * pts[i] + m[1] * pts[i + 1] + m[2], m[3] * pts[i] + m[4] * pts[i + 1] + m[5]);
  }
  return out;
}
