// Greedy non-maximum suppression over face candidates, highest score first (ties: lower index
// first), as insightface's SCRFD.nms and OpenCV's NMSBoxes do.
import type { Box } from './types.js';

export function iou(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/** Indices of the kept candidates, best first. */
export function nms(boxes: readonly Box[], scores: ArrayLike<number>, iouThreshold: number, maxKeep = Infinity): number[] {
  const order = boxes.map((_, i) => i).sort((i, j) => scores[j]! - scores[i]! || i - j);
  const keep: number[] = [];
  const removed = new Uint8Array(boxes.length);
  for (const i of order) {
    if (removed[i]) continue;
    keep.push(i);
    if (keep.length >= maxKeep) break;
    for (const j of order) {
      if (!removed[j] && j !== i && iou(boxes[i]!, boxes[j]!) > iouThreshold) removed[j] = 1;
    }
  }
  return keep;
}
