import { describe, expect, it } from 'vitest';
import { storeModelKey } from '../../src/store/model-key.js';

describe('storeModelKey', () => {
  it('names the embedding space: the recogniser id, and flip, which changes every vector', () => {
    expect(storeModelKey({ id: 'foamliu-mobilefacenet', flip: false })).toBe('foamliu-mobilefacenet');
    expect(storeModelKey({ id: 'foamliu-mobilefacenet', flip: true })).toBe('foamliu-mobilefacenet+flip');
  });
});
