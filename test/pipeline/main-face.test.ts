import { describe, expect, it } from 'vitest';
import type { Box } from '../../src/models/detectors/types.js';
import { mainFace } from '../../src/pipeline/main-face.js';

const face = (box: Box, id: string) => ({ box, id });

describe('mainFace (the one main-face rule)', () => {
  it('is undefined without faces and the face itself with one', () => {
    expect(mainFace([], 100, 100)).toBeUndefined();
    expect(mainFace([face([0, 0, 10, 10], 'a')], 100, 100)?.id).toBe('a');
  });

  it('picks the face nearest the centre among faces >= 30% of the largest area', () => {
    // A large bystander cut off at the left border, the subject in the middle (half its area).
    const bystander = face([0, 20, 60, 80], 'bystander');
    const subject = face([80, 30, 122, 72], 'subject');
    expect(mainFace([bystander, subject], 200, 100)?.id).toBe('subject');
  });

  it('ignores small central faces (under 30% of the largest)', () => {
    const big = face([0, 0, 100, 100], 'big');
    const small = face([95, 45, 105, 55], 'small');
    expect(mainFace([small, big], 200, 100)?.id).toBe('big');
  });

  it('treats inverted boxes as zero area', () => {
    expect(mainFace([face([10, 10, 0, 0], 'bad'), face([40, 40, 60, 60], 'ok')], 100, 100)?.id).toBe('ok');
  });
});
