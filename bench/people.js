// People benchmark (one run, peers side by side). Modes:
//   node bench/people.js photos      BCubed / pairwise F on the shared labelled photos (default models:
//                                    YuNet + MobileFaceNet), batch and one face at a time
//   node bench/people.js planted [n] planted 512-d clusters: clusterEmbeddingsAsync vs scikit-learn DBSCAN
//   node bench/people.js scale [n]   n planted faces: time and peak memory of clusterEmbeddingsAsync
//   node bench/people.js adds [n]    PeopleIndex incremental adds: faces/s per 10k block as the index grows
// Needs `npx tsc -p tsconfig.build.json` first (imports dist/).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.FACECORE_SHARED ?? path.resolve(root, '../shared');
const PHOTO_CACHE = '/tmp/facecore-people-photos.json';

/** The shared labelled photos' main-face embeddings, cached (identity, file, embedding). */
export async function photoEmbeddings() {
  if (fs.existsSync(PHOTO_CACHE)) return JSON.parse(fs.readFileSync(PHOTO_CACHE, 'utf8'));
  const { FaceAnalyzer, decodeImage } = await import('../dist/index.js');
  const { mainFace } = await import('../dist/cli/models.js');
  const analyzer = await FaceAnalyzer.create({
    detector: path.join(shared, 'models/yunet_s_dynamic.onnx'),
    recognizer: path.join(shared, 'models/mobilefacenet.onnx'),
    detection: { pad: 'auto' },
  });
  const out = [];
  for (const source of fs.readdirSync(path.join(shared, 'data'))) {
    const labels = path.join(shared, 'data', source, 'labels.csv');
    if (!fs.existsSync(labels)) continue;
    for (const line of fs.readFileSync(labels, 'utf8').trim().split('\n').slice(1)) {
      const [file, identity] = line.split(',');
      if (!identity || identity === 'unknown') continue;
      const photo = path.join(shared, 'data', source, file);
      const image = await decodeImage(photo);
      const face = mainFace(await analyzer.analyze(image), image.width, image.height);
      if (face) out.push({ identity: `${source}/${identity}`, file: `${source}/${file}`, embedding: Array.from(face.embedding) });
    }
  }
  await analyzer.dispose();
  fs.writeFileSync(PHOTO_CACHE, JSON.stringify(out));
  return out;
}

const mode = process.argv[2];
if (mode === 'embed') {
  const faces = await photoEmbeddings();
  console.log(`${faces.length} faces, ${new Set(faces.map((f) => f.identity)).size} identities -> ${PHOTO_CACHE}`);
}
