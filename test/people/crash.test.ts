// Crash safety with real processes: a child adds faces and makes corrections in a loop; the
// parent SIGKILLs it at random moments, reopens, and checks that every acknowledged face has
// a place, every acknowledged correction holds, and people and faces agree, also after a
// recluster.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeopleIndex } from '../../src/people/people-index.js';
import { buildForChild } from '../helpers/child-build.js';
import { rng } from '../helpers/random.js';
import { runAndKill } from '../helpers/kill-child.js';

const ROUNDS = 8;
let childRoot = '';
let dir = '';
beforeAll(() => {
  childRoot = buildForChild('test/people/fixtures', 'test/helpers');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facecore-people-crash-'));
});
afterAll(() => {
  fs.rmSync(childRoot, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
});

const runWriter = (file: string, first: number, delayMs: number) =>
  runAndKill(path.join(childRoot, 'test/people/fixtures/people-writer.js'), [file, String(first)], delayMs);

function checkConsistent(people: PeopleIndex, added: Set<number>) {
  for (const b of added) for (let j = 0; j < 4; j++) expect(people.personOf(`${b}-${j}`), `${b}-${j}`).not.toBeUndefined();
  for (const p of people.people()) {
    const faces = people.facesOf(p);
    expect(faces.length).toBeGreaterThan(0);
    for (const f of faces) expect(people.personOf(f)).toBe(p);
  }
}

describe('PeopleIndex crash safety', () => {
  it(`keeps acknowledged faces and corrections through ${ROUNDS} SIGKILLs`, async () => {
    const file = path.join(dir, 'people.fci');
    const random = rng(7);
    const added = new Set<number>();
    const assigned: [string, string][] = [];
    let rejected: [string, string][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const lines = await runWriter(file, round * 1000, 100 + Math.floor(random() * 400));
      for (const line of lines) {
        const [what, a, b] = line.split(' ');
        if (what === 'add') added.add(Number(a));
        if (what === 'assign') assigned.push([a, b]);
        if (what === 'reject') rejected.push([a, b]);
        // A merge (acknowledged or in flight) may legitimately put a face back with a person it rejected.
        if (what === 'merging') rejected = rejected.filter(([, p]) => p !== a && p !== b);
      }
      const people = await PeopleIndex.open(file, { threshold: 0.5 });
      try {
        checkConsistent(people, added);
        for (const [f, p] of assigned) expect(people.facesOf(p), `round ${round}: assign ${f} ${p}`).toContain(f);
        for (const [f, p] of rejected) expect(people.facesOf(p), `round ${round}: reject ${f} ${p}`).not.toContain(f);
        if (round === ROUNDS - 1) {
          await people.recluster();
          checkConsistent(people, added);
          for (const [f, p] of assigned) expect(people.facesOf(p)).toContain(f);
          for (const [f, p] of rejected) expect(people.facesOf(p)).not.toContain(f);
        }
      } finally {
        await people.close();
      }
    }
    expect(added.size).toBeGreaterThan(ROUNDS);
  }, 120_000);
});
