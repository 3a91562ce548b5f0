// Runs a test body under every ISA this CPU supports (and restores the active one).
import { detectedIsa, getIsa, setIsa, type IsaName } from '../../src/core/cpu.js';

export function supportedIsas(): IsaName[] {
  const best = detectedIsa();
  return best === 'avx512' ? ['scalar', 'avx2', 'avx512'] : best === 'avx2' ? ['scalar', 'avx2'] : ['scalar'];
}

export function underEachIsa(body: (isa: IsaName) => void): void {
  const saved = getIsa();
  try {
    for (const isa of supportedIsas()) {
      setIsa(isa);
      body(isa);
    }
  } finally {
    setIsa(saved);
  }
}
