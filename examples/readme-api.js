// node readme-api.js <photo-a> <photo-b> <photo-c>   (a and b: the same person; c: someone else)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FaceAnalyzer, FaceIndex, clusterEmbeddings, topK } from 'facecore';

const [a, b, c] = process.argv.slice(2);
const fa = await FaceAnalyzer.create();                  // the default detector + recogniser
const dim = fa.recognizer.dim;

const faces = await fa.analyze(a);                       // [{ box, score, landmarks, embedding }], best first
console.log(`${faces.length} face(s) in ${path.basename(a)}, the first at [${faces[0].box.map(Math.round)}]`);

const { score, same } = await fa.verify(a, b);           // one face per photo, at the calibrated threshold
console.log(`a vs b: cosine ${score.toFixed(3)}, same person: ${same}`);

const found = await fa.analyzeBatch([a, b, c], { concurrency: 2 }); // one face list per photo, in order
const [ea, eb, ec] = found.map((list) => list[0].embedding);

// A durable gallery: a and c enrolled under names, b searched against them.
const dir = await mkdtemp(path.join(tmpdir(), 'facecore-'));
const index = await FaceIndex.open(path.join(dir, 'gallery.fci'), { dim, storage: 'f16', metric: 'cosine' });
await index.add(['a', 'c'], new Float32Array([...ea, ...ec]), { labels: ['alice', 'carol'] }); // on disk when it resolves
const [hits] = await index.searchLabels(eb, 2, { aggregate: 'max' });
console.log(`b looks most like ${hits[0].label} (${hits[0].score.toFixed(3)}), then ${hits[1].label} (${hits[1].score.toFixed(3)})`);
await index.close();
await rm(dir, { recursive: true });

// The kernels underneath: exact top-k over a plain Float32Array (n x dim), ties to the lower index.
const { indices, scores } = topK(eb, new Float32Array([...ea, ...ec]), dim, 1);
console.log(`topK: row ${indices[0]} (cosine ${scores[0].toFixed(3)})`);

// Group the three faces: agglomerative clustering at the recogniser's grouping threshold.
const threshold = fa.recognizer.thresholds?.group ?? fa.recognizer.threshold;
const { labels, count } = clusterEmbeddings(new Float32Array([...ea, ...eb, ...ec]), dim, { threshold });
console.log(`${count} people: a -> ${labels[0]}, b -> ${labels[1]}, c -> ${labels[2]}`);
await fa.dispose();
