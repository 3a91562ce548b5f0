// Which kernel variant runs, and forcing one (for tests and comparisons).
import { native, type IsaName } from '../native.js';
import { assertOneOf } from './validate.js';

export type { IsaName };
const ISAS: readonly IsaName[] = ['scalar', 'avx2', 'avx512'];

/** The ISA the kernels use now. */
export function getIsa(): IsaName {
  return native.getIsa();
}

/** The best ISA this CPU supports. */
export function detectedIsa(): IsaName {
  return native.detectedIsa();
}

/** Forces an ISA (clamped to what the CPU supports); returns the one set. Same as FACECORE_ISA at start. */
export function setIsa(isa: IsaName): IsaName {
  return native.setIsa(assertOneOf('isa', isa, ISAS));
}
