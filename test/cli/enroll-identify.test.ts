import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { FaceIndex } from '../../src/gallery/face-index.js';
import { hasShared, sharedData } from '../helpers/shared.js';
import { capture, runIn } from './capture.js';
import { faceless, samplePhoto } from './photos.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'facecore-cli-enroll-'));
  for (const [who, i] of [['alice', 1], ['bob', 2], ['carol', 3]] as const) {
    await mkdir(path.join(dir, 'people', who), { recursive: true });
    await copyFile(samplePhoto(i), path.join(dir, 'people', who, `sample${i}.jpg`));
  }
  await writeFile(path.join(dir, 'people', 'alice', 'broken.jpg'), Buffer.from('not a photo'));
  await faceless(path.join(dir, 'people', 'bob', 'grey.png'));
  await writeFile(path.join(dir, 'people', 'carol', 'notes.txt'), 'not a photo, not looked at');
  await copyFile(samplePhoto(4), path.join(dir, 'people', 'loose.jpg'));
});
afterAll(async () => {
  await rm(dir, { recursive: true });
});

const run = (...argv: string[]) => runIn(dir, ...argv);

interface Face { identity: string; score: number | null; candidates: { label: string; score: number }[]; box: number[] }

describe('facecore enroll + identify', () => {
  it('enrols a folder per identity, skipping unreadable and faceless photos with a warning and a count', async () => {
    const r = await run('enroll', 'people', '--index', 'gallery.fci', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ photos: 5, enrolled: 3, alreadyEnrolled: 0, indexFaces: 3, indexIdentities: 3, dim: 128, storage: 'f32' });
    expect(j.enrolledPerIdentity).toEqual({ alice: 1, bob: 1, carol: 1 });
    expect(j.skipped.map((s: { file: string }) => s.file).sort()).toEqual(['alice/broken.jpg', 'bob/grey.png']);
    const warnings = r.err.trim().split('\n');
    expect(warnings[0]).toBe('warning: 1 photo(s) directly in people ignored: put them in a folder named after the person');
    expect(warnings).toContain(`warning: skipped: no face found in ${path.join('people', 'bob', 'grey.png')}`);
    expect(warnings.some((w) => w.startsWith(`warning: skipped: unreadable image ${path.join('people', 'alice', 'broken.jpg')}: `))).toBe(true);
    expect(warnings.at(-1)).toBe('warning: 2 of 5 photos skipped');

    // The file is a durable FaceIndex: ids are identity/file, labels the identity, meta the source.
    const index = await FaceIndex.open(path.join(dir, 'gallery.fci'));
    expect([...index.entries()].map((e) => [e.id, e.label, e.meta?.file]).sort()).toEqual([
      ['alice/sample1.jpg', 'alice', 'alice/sample1.jpg'], ['bob/sample2.jpg', 'bob', 'bob/sample2.jpg'], ['carol/sample3.jpg', 'carol', 'carol/sample3.jpg'],
    ]);
    await index.close();

    // A rerun adds nothing twice; on a terminal it draws a progress bar on stderr (and clears it).
    const tty = capture({ tty: true });
    expect(await main(['enroll', 'people', '--index', 'gallery.fci'], { ...tty, cwd: dir })).toBe(0);
    expect(tty.out()).toMatch(/^enrolled 0 face\(s\) of 0 identities into gallery\.fci with foamliu-mobilefacenet \+ yunet \(2 skipped, 3 already enrolled; several faces in 0: used the main one\)\ngallery\.fci: 3 face\(s\) of 3 identities, 128-d f32\n$/);
    expect(tty.err()).toContain('\renrolling [');
    expect(tty.err()).toContain('] 5/5\r\x1b[K');
    expect(tty.err().endsWith('warning: 2 of 5 photos skipped\n')).toBe(true);
  });

  it('names each face or says unknown under the threshold (open-set), with k candidates', async () => {
    const r = await run('identify', samplePhoto(1), samplePhoto(4), '--index', 'gallery.fci', '-k', '2', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.k).toBe(2);
    const [p1, p4] = j.photos as { file: string; faces: Face[] }[];
    expect(p1.faces).toHaveLength(3);
    expect(p4.faces).toHaveLength(4);
    for (const f of [...p1.faces, ...p4.faces]) {
      expect(f.candidates).toHaveLength(2);
      expect(f.candidates[0].score).toBeGreaterThanOrEqual(f.candidates[1].score);
      expect(f.identity).toBe(f.score! >= j.threshold ? f.candidates[0].label : 'unknown');
    }
    // alice was enrolled from this very photo: her face matches itself. (Another woman in it
    // scores 0.374 against her with MobileFaceNet, over its FAR = 1e-3 threshold 0.303.)
    const alice = p1.faces.filter((f) => f.identity === 'alice').sort((a, b) => b.score! - a.score!);
    expect(alice.length).toBeGreaterThanOrEqual(1);
    expect(alice[0].score).toBeGreaterThan(0.999);
    // Nobody in sample4 was enrolled.
    expect(p4.faces.every((f) => f.identity === 'unknown')).toBe(true);

    const text = await run('identify', samplePhoto(1), '--index', 'gallery.fci');
    expect(text.out).toMatch(/sample1\.jpg: 3 face\(s\)\n/);
    expect(text.out).toMatch(/ alice +1\.0000 /);
    expect(text.out).toMatch(/threshold 0\.303 \(calibrated\)/);
  });

  it('fails in one line on a missing index, a missing or faceless photo, another model\'s index', async () => {
    const noIndex = await run('identify', samplePhoto(1), '--index', 'none.fci');
    expect([noIndex.code, noIndex.err]).toEqual([1, "facecore identify: index not found: none.fci (create it with 'facecore enroll <dir> --index none.fci')\n"]);
    const noPhoto = await run('identify', 'nope.jpg', '--index', 'gallery.fci');
    expect([noPhoto.code, noPhoto.err]).toEqual([1, 'facecore identify: file not found: nope.jpg\n']);
    const grey = await run('identify', path.join('people', 'bob', 'grey.png'), '--index', 'gallery.fci');
    expect([grey.code, grey.err]).toEqual([1, `facecore identify: no face found in ${path.join('people', 'bob', 'grey.png')}\n`]);
    const dim = await run('identify', samplePhoto(1), '--index', 'gallery.fci', '--model', 'mobileface');
    expect([dim.code, dim.err]).toEqual([1, 'facecore identify: gallery.fci holds 128-d embeddings but mobileface + yunet makes 256-d ones: use the model it was enrolled with (--model)\n']);
    const usage = await run('identify', samplePhoto(1), '--index', 'gallery.fci', '-k', '0');
    expect([usage.code, usage.err.split('\n')[0]]).toEqual([2, 'facecore identify: -k: expected an integer in [1, 1000], got "0"']);
    const noDir = await run('enroll', 'nowhere', '--index', 'x.fci');
    expect([noDir.code, noDir.err]).toEqual([1, 'facecore enroll: folder not found: nowhere\n']);
  });

  it('reports the photos without a result among several, with exit code 1 after the others', async () => {
    const r = await run('identify', samplePhoto(2), 'nope.jpg', '--index', 'gallery.fci', '--json');
    expect(r.code).toBe(1);
    expect(r.err).toBe('warning: file not found: nope.jpg\nwarning: 1 of 2 photo(s) gave no result\n');
    const j = JSON.parse(r.out);
    expect(j.photos[0].faces.some((f: Face) => f.identity === 'bob')).toBe(true);
    expect(j.photos[1]).toEqual({ file: 'nope.jpg', faces: [], error: 'file not found: nope.jpg' });
  });
});

// Real identities: two photos each in the gallery, a third as the probe.
describe.skipIf(!hasShared)('facecore enroll + identify on ../shared/data/deepface', () => {
  const people = {
    angelina_jolie: ['img1.jpg', 'img2.jpg', 'img4.jpg'],
    deepface_p08: ['img8.jpg', 'img9.jpg', 'img48.jpg'],
    deepface_p16: ['img16.jpg', 'img17.jpg', 'img61.jpg'],
    deepface_p34: ['img34.jpg', 'img35.jpg', 'img37.jpg'],
  };

  it('identifies every probe at rank 1 above the threshold', async () => {
    const probes: string[] = [];
    for (const [who, files] of Object.entries(people)) {
      await mkdir(path.join(dir, 'deepface', who), { recursive: true });
      for (const f of files.slice(0, 2)) await copyFile(sharedData('deepface', f), path.join(dir, 'deepface', who, f));
      probes.push(sharedData('deepface', files[2]!));
    }
    expect((await run('enroll', 'deepface', '--index', 'deepface.fci')).code).toBe(0);
    const r = await run('identify', ...probes, '--index', 'deepface.fci', '--json');
    expect(r.code).toBe(0);
    const got = JSON.parse(r.out).photos.map((p: { faces: Face[] }) => p.faces[0]!.identity);
    expect(got).toEqual(Object.keys(people));
  });
});
