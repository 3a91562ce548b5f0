import { copyFile, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusteringScores } from '../../src/eval/clustering-metrics.js';
import { FaceIndex } from '../../src/gallery/face-index.js';
import { knownRecognizerByName } from '../../src/models/known-models.js';
import { DEFAULT_RECOGNIZER } from '../../src/models/registry.js';
import { runIn } from '../cli/capture.js';
import { hasShared, sharedData, sharedModel } from '../helpers/shared.js';
import { faces } from './planted.js';

const PEOPLE = ['Ariel_Sharon', 'Tony_Blair', 'Jacques_Chirac'];
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'facecore-cli-cluster-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true });
});

const run = (...argv: string[]) => runIn(dir, ...argv);

describe('facecore cluster', () => {
  it.skipIf(!hasShared)('groups a photo folder into people and writes a contact sheet of aligned crops', async () => {
    await mkdir(path.join(dir, 'photos'));
    for (const who of PEOPLE) {
      const src = sharedData('krasserm_face_recognition/images', who);
      for (const f of (await readdir(src)).slice(0, 5)) await copyFile(path.join(src, f), path.join(dir, 'photos', `${who}-${f}`));
    }
    const r = await run('cluster', 'photos', '--out', 'people.json', '--html', 'people.html', '--json',
      '--model', sharedModel('mobilefacenet.onnx'), '--detector', sharedModel('yunet_s_dynamic.onnx'));
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(await readFile(path.join(dir, 'people.json'), 'utf8'));
    // Photos with bystanders have faces of unknown people: score the single-face photos.
    const all: { file: string; group: number }[] = [];
    report.groups.forEach((g: { faces: { file: string }[] }, i: number) => g.faces.forEach((f) => all.push({ file: f.file, group: i })));
    const count = new Map<string, number>();
    for (const f of [...all, ...report.unassigned]) count.set(f.file, (count.get(f.file) ?? 0) + 1);
    const single = all.filter((f) => count.get(f.file) === 1);
    const truth = single.map((f) => f.file.split('-')[0]), predicted = single.map((f) => f.group);
    expect(truth.length).toBeGreaterThanOrEqual(10);
    expect(clusteringScores(truth, predicted).bcubed.f).toBeGreaterThan(0.9);
    const html = await readFile(path.join(dir, 'people.html'), 'utf8');
    expect(html.match(/data:image\/jpeg;base64,/g)!.length).toBe(report.faces);
    expect(JSON.parse(r.out)).toMatchObject({ faces: report.faces, people: report.people });
  }, 120_000);

  it('groups the faces of a FaceIndex file', async () => {
    const { x, truth } = faces(4, 5, 16, 0.4, 3);
    const index = await FaceIndex.open(path.join(dir, 'g.fci'), { dim: 16 });
    await index.add(Array.from({ length: 20 }, (_, i) => `face${i}`), x);
    await index.close();
    const r = await run('cluster', 'g.fci', '--out', 'g.json', '--threshold', '0.4');
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(await readFile(path.join(dir, 'g.json'), 'utf8'));
    const labels = new Array<number>(20);
    report.groups.forEach((g: { faces: { id: string }[] }, i: number) => g.faces.forEach((f) => (labels[Number(f.id.slice(4))] = i)));
    expect(clusteringScores(truth, labels).bcubed.f).toBe(1);
    const ivf = await run('cluster', 'g.fci', '--out', 'i.json', '--threshold', '0.4', '--graph', 'ivf');
    expect(ivf.code, ivf.err).toBe(0);
    const approx = JSON.parse(await readFile(path.join(dir, 'i.json'), 'utf8'));
    expect(approx.graph).toBe('ivf');
    expect(approx.groups).toEqual(report.groups);
  });

  it("defaults to the recogniser's calibrated group threshold (an index: the default recogniser's)", async () => {
    const r = await run('cluster', 'g.fci', '--out', 'd.json');
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(await readFile(path.join(dir, 'd.json'), 'utf8'));
    expect(report.threshold).toBe(knownRecognizerByName(DEFAULT_RECOGNIZER)!.groupThreshold);
  });

  it('usage errors exit 2 and name the option', async () => {
    expect((await run('cluster', 'g.fci')).err).toMatch(/--out/);
    expect((await run('cluster', 'g.fci', '--out', 'x.json', '--threshold', '2')).code).toBe(2);
    expect((await run('cluster', 'g.fci', '--out', 'x.json', '--min-faces', '0')).err).toMatch(/--min-faces/);
    expect((await run('cluster', 'g.fci', '--out', 'x.json', '--graph', 'hnsw')).err).toMatch(/--graph: expected exact or ivf/);
    expect((await run('cluster', 'missing', '--out', 'x.json')).code).toBe(1);
  });
});
