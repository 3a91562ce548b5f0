// Which kernel variant runs, and forcing one (for tests and comparisons).
import { native, type IsaName, type KernelIsas } from '../native.js';
import { assertOneOf } from './validate.js';

export type { IsaName, KernelIsas };
const ISAS: readonly IsaName[] = ['scalar', 'avx2', 'avx512'];

/** The ISA the kernels use now. */
export function getIsa(): IsaName {
  return native.getIsa();
}

/**
 * The ISA each kernel family runs now: getIsa() caps them all, and a family gets AVX-512 only
 * when the CPU has what its kernels use (the int8 dot: VNNI).
 */
export function kernelIsas(): KernelIsas {
  return native.kernelIsas();
}

/** The best ISA this CPU supports. */
export function detectedIsa(): IsaName {
  return native.detectedIsa();
}

/** Forces an ISA (clamped to what the CPU supports); returns the one set. Same as FACECORE_ISA at start. */
export function setIsa(isa: IsaName): IsaName {
  return native.setIsa(assertOneOf('isa', isa, ISAS));
}
