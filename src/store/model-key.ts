// The key the store files embeddings under. Faces compare only within one embedding space, so
// every writer and reader (serve --store, the router, queue workers) must name it alike: the
// recogniser's id, plus flip, which changes every vector. Detector and decode settings change
// which faces are found, not the space, and model files' dates say nothing about it: both stay out.
export function storeModelKey(recognizer: { id: string; flip: boolean }): string {
  return recognizer.flip ? `${recognizer.id}+flip` : recognizer.id;
}
