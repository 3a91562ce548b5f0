// Planted identities for clustering tests.
import { rng } from '../helpers/random.js';

/** n identities x m faces each: unit vectors scattered around a random centre per identity. */
export function faces(identities: number, perIdentity: number, dim: number, noise: number, seed: number) {
  const r = rng(seed);
  const out = new Float32Array(identities * perIdentity * dim);
  const truth: number[] = [];
  const centres: number[][] = [];
  for (let id = 0; id < identities; id++) {
    const centre = Array.from({ length: dim }, () => r() * 2 - 1);
    centres.push(centre);
    for (let f = 0; f < perIdentity; f++) {
      const row = (id * perIdentity + f) * dim;
      let norm = 0;
      for (let c = 0; c < dim; c++) norm += (out[row + c] = centre[c] + noise * (r() * 2 - 1)) ** 2;
      for (let c = 0; c < dim; c++) out[row + c] /= Math.sqrt(norm);
      truth.push(id);
    }
  }
  return { x: out, truth, centres };
}
