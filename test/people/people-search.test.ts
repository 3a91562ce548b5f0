// peopleSearch 'projected' and 'hnsw' only propose candidates; placement re-scores them exactly.
// So wherever the candidates hold the exact best person, they must place every face as 'exact' does.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeopleIndex, type PeopleSearch } from '../../src/people/people-index.js';
import { buildForChild } from '../helpers/child-build.js';
import { repoRoot } from '../helpers/shared.js';
import { faces } from '../cluster/planted.js';
import { tempFiles } from '../helpers/temp-files.js';

const DIM = 128;
const tmpPath = tempFiles('facecore-people-search');
const tmpFile = () => tmpPath('people.fci');
const row = (x: Float32Array, i: number) => x.slice(i * DIM, (i + 1) * DIM);

describe.each(['projected', 'hnsw'] as PeopleSearch[])("peopleSearch '%s'", (search) => {
  it('places faces one at a time exactly as the exact search does while its candidates hold the exact best', async () => {
    // 60 people: more than the 32 candidates proposed, so the proposal really chooses.
    const { x } = faces(60, 4, DIM, 0.6, 21);
    const shuffled = Array.from({ length: 240 }, (_, i) => (i * 97) % 240);
    const exact = await PeopleIndex.open(tmpFile(), { dim: DIM, threshold: 0.3, durability: 'none' });
    const approx = await PeopleIndex.open(tmpFile(), { dim: DIM, threshold: 0.3, durability: 'none', peopleSearch: search });
    let missed = 0;
    for (const i of shuffled) {
      const v = row(x, i), best = approx.searchPeople(v, 1, { exact: true })[0];
      // Only a best at or above the threshold decides a placement.
      if (best?.score >= 0.3 && !approx.searchPeople(v, 8).some((h) => h.person === best.person)) missed++;
      const [a] = await approx.add([`f${i}`], v);
      expect(a, `face ${i}`).toBe((await exact.add([`f${i}`], v))[0]);
    }
    expect(missed).toBe(0);
    expect(approx.people().length).toBe(exact.people().length);
    await exact.close();
    await approx.close();
  });

  it('batch adds and searchPeople scores match the exact search', async () => {
    const { x, centres } = faces(40, 5, DIM, 0.6, 22);
    const exact = await PeopleIndex.open(tmpFile(), { dim: DIM, threshold: 0.3, durability: 'none' });
    const approx = await PeopleIndex.open(tmpFile(), { dim: DIM, threshold: 0.3, durability: 'none', peopleSearch: search });
    const ids = Array.from({ length: 200 }, (_, i) => `f${i}`);
    expect(await approx.add(ids, x)).toEqual(await exact.add(ids, x));
    for (const c of centres.slice(0, 10)) {
      // The best (a match) is the same; below it the order among non-matches is the proposal's.
      const q = Float32Array.from(c), hits = approx.searchPeople(q, 3), all = exact.searchPeople(q, 40);
      expect(hits[0].person).toBe(all[0].person);
      expect(hits[0].score).toBeGreaterThan(0.3);
      const scoreOf = new Map(all.map((h) => [h.person, h.score]));
      for (const h of hits) expect(h.score).toBeCloseTo(scoreOf.get(h.person)!, 5);
    }
    await exact.close();
    await approx.close();
  });

  it('corrections hold through later adds, reopen and recluster', async () => {
    const file = tmpFile();
    const { x } = faces(30, 4, DIM, 0.5, 23);
    let people = await PeopleIndex.open(file, { dim: DIM, threshold: 0.3, durability: 'none', peopleSearch: search });
    const joined = await people.add(Array.from({ length: 120 }, (_, i) => `f${i}`), x);
    const [pa, pb] = [joined[0]!, joined[4]!];
    await people.reject('f1', pa);
    await people.assign('f8', pb);
    const check = () => {
      expect(people.personOf('f1')).not.toBe(pa);
      expect(people.personOf('f8')).toBe(pb);
    };
    check();
    await people.add(['late'], row(x, 1)); // f1's twin joins pa; f1 itself stays out
    check();
    await people.close();
    people = await PeopleIndex.open(file, { threshold: 0.3, peopleSearch: search });
    check();
    await people.recluster();
    check();
    await people.add(['later'], row(x, 2));
    expect(people.personOf('later')).toBe(people.personOf('f2'));
    await people.close();
  });
});

describe('peopleSearch', () => {
  it('rejects a bad value naming the option', async () => {
    const file = tmpFile();
    await expect(PeopleIndex.open(file, { dim: DIM, threshold: 0.3, peopleSearch: 'fast' as PeopleSearch })).rejects.toThrow(RangeError);
    await expect(PeopleIndex.open(file, { dim: DIM, threshold: 0.3, peopleSearch: 1 as unknown as PeopleSearch })).rejects.toThrow(
      /options.peopleSearch: expected 'exact' \| 'projected' \| 'hnsw', got/,
    );
    const people = await PeopleIndex.open(file, { dim: DIM, threshold: 0.3, durability: 'none' });
    expect(() => people.searchPeople(new Float32Array(DIM), 1, { exact: 1 as unknown as boolean })).toThrow(/options.exact: expected a boolean/);
    await people.close();
  });

  describe('without usearch installed', () => {
    // A child whose node_modules holds every package but usearch: 'hnsw' says what to install, the rest works.
    let root = '';
    beforeAll(() => {
      root = buildForChild();
      fs.unlinkSync(path.join(root, 'node_modules'));
      fs.mkdirSync(path.join(root, 'node_modules'));
      for (const pkg of fs.readdirSync(path.join(repoRoot, 'node_modules'))) {
        if (pkg !== 'usearch') fs.symlinkSync(path.join(repoRoot, 'node_modules', pkg), path.join(root, 'node_modules', pkg));
      }
    });
    afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

    it("'hnsw' fails with the npm install line; 'projected' and 'exact' open", () => {
      const script = `
        import { PeopleIndex } from './src/people/people-index.js';
        const dir = process.argv[1];
        for (const peopleSearch of ['hnsw', 'projected', 'exact']) {
          try {
            const p = await PeopleIndex.open(dir + '/' + peopleSearch + '.fci', { dim: 8, threshold: 0.3, durability: 'none', peopleSearch });
            await p.add(['a'], new Float32Array(8).fill(1));
            await p.close();
            console.log(peopleSearch + ' ok');
          } catch (err) { console.log(peopleSearch + ' ' + err.message); }
        }`;
      const dir = path.dirname(tmpFile());
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, dir], { cwd: root, encoding: 'utf8' });
      expect(out).toContain("hnsw PeopleIndex peopleSearch: 'hnsw': needs the optional package usearch, which is not installed (npm install usearch)");
      expect(out).toContain('projected ok');
      expect(out).toContain('exact ok');
    });
  });
});
