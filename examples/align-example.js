// Aligns a face from one of face-api's demo photos (an npm package: nothing downloads) and writes
// docs/align-example.png: the photo with its five landmarks, next to the 112x112 ArcFace crop.
// Landmarks come from face-api's SSD detector + 68-point landmark model (tfjs, CPU backend),
// reduced to the five ArcFace points: eye centres, nose tip, mouth corners.
// Run: npx tsc -p tsconfig.build.json && node examples/align-example.js [photo.jpg]
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { alignFaces, ARCFACE_TEMPLATE_112 } from '../dist/index.js';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const faceApiDir = path.dirname(require.resolve('@vladmandic/face-api/package.json'));
const photo = process.argv[2] ?? path.join(faceApiDir, 'demo', 'sample2.jpg');
const outFile = path.join(root, 'docs', 'align-example.png');

const tf = require('@tensorflow/tfjs');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js'); // uses the tfjs above
await tf.setBackend('cpu');
await tf.ready();
await faceapi.nets.ssdMobilenetv1.loadFromDisk(path.join(faceApiDir, 'model'));
await faceapi.nets.faceLandmark68Net.loadFromDisk(path.join(faceApiDir, 'model'));

// Decode once with sharp: the same RGB pixels feed the detector and the warp.
const { data, info } = await sharp(photo).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
const image = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
const input = tf.tensor3d(image.data, [info.height, info.width, 3], 'int32');
const face = await faceapi.detectSingleFace(input, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 })).withFaceLandmarks();
input.dispose();
if (!face) throw new Error(`no face found in ${photo}`);

// 68-point (iBUG) indices: eyes 36-41 and 42-47, nose tip 30, mouth corners 48 and 54.
const pts = face.landmarks.positions;
const mean = (from, to) => {
  let x = 0, y = 0;
  for (let i = from; i <= to; i++) { x += pts[i].x; y += pts[i].y; }
  return [x / (to - from + 1), y / (to - from + 1)];
};
const landmarks = [...mean(36, 41), ...mean(42, 47), pts[30].x, pts[30].y, pts[48].x, pts[48].y, pts[54].x, pts[54].y];

const { tensor, matrices } = alignFaces(image, landmarks, { output: 'uint8' });
console.log(`${path.basename(photo)} ${info.width}x${info.height}: landmarks ${landmarks.map((v) => v.toFixed(1)).join(', ')}`);
console.log(`M = [${Array.from(matrices[0], (v) => v.toFixed(4)).join(', ')}]`);

// Left panel: the photo scaled to 448 px high with the five points; right: the crop at 4x with the template.
const H = 448, scale = H / info.height, W = Math.round(info.width * scale);
const dots = (list, s, colour) => {
  let svg = '';
  for (let i = 0; i < list.length; i += 2) svg += `<circle cx="${list[i] * s}" cy="${list[i + 1] * s}" r="4" fill="${colour}"/>`;
  return svg;
};
const svg = (w, h, body) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${body}</svg>`);
const left = await sharp(image.data, { raw: { width: info.width, height: info.height, channels: 3 } })
  .resize(W, H).composite([{ input: svg(W, H, dots(landmarks, scale, '#ff3030')), top: 0, left: 0 }]).png().toBuffer();
const right = await sharp(Buffer.from(tensor.buffer, tensor.byteOffset, tensor.length), { raw: { width: 112, height: 112, channels: 3 } })
  .resize(H, H, { kernel: 'nearest' }).composite([{ input: svg(H, H, dots(ARCFACE_TEMPLATE_112, H / 112, '#30ff30')), top: 0, left: 0 }]).png().toBuffer();
await sharp({ create: { width: W + 16 + H, height: H, channels: 3, background: '#ffffff' } })
  .composite([{ input: left, top: 0, left: 0 }, { input: right, top: 0, left: W + 16 }])
  .png().toFile(outFile);
console.log(`wrote ${path.relative(root, outFile)}`);
