import { describe, expect, it } from 'vitest';
import { clusteringScores } from '../../src/eval/clustering-metrics.js';
import { PeopleIndex } from '../../src/people/people-index.js';
import { faces } from '../cluster/planted.js';
import { tempFiles } from '../helpers/temp-files.js';

const DIM = 32;
const tmpPath = tempFiles('facecore-people');
const tmpFile = () => tmpPath('people.fci');

const row = (x: Float32Array, i: number) => x.slice(i * DIM, (i + 1) * DIM);
const ids = (n: number) => Array.from({ length: n }, (_, i) => `f${i}`);

async function addOneByOne(people: PeopleIndex, x: Float32Array) {
  const out: (string | null)[] = [];
  for (let i = 0; i < x.length / DIM; i++) out.push(...(await people.add([`f${i}`], row(x, i))));
  return out;
}

describe('PeopleIndex', () => {
  it('groups faces added one at a time like the planted identities; ids survive reopen', async () => {
    const file = tmpFile();
    const { x, truth } = faces(8, 6, DIM, 0.6, 3);
    let people = await PeopleIndex.open(file, { dim: DIM, threshold: 0.4, durability: 'none' });
    const joined = await addOneByOne(people, x);
    expect(clusteringScores(truth, joined.map((p) => Number(p!.slice(1)))).bcubed.f).toBeGreaterThan(0.9);
    expect(people.people().length).toBe(new Set(joined).size);
    for (const p of people.people()) for (const f of people.facesOf(p)) expect(people.personOf(f)).toBe(p);
    await people.close();
    people = await PeopleIndex.open(file, { threshold: 0.4 });
    expect(ids(48).map((f) => people.personOf(f))).toEqual(joined);
    expect(people.personOf('nobody')).toBeUndefined();
    await people.close();
  });

  it('batch add places faces of one new person together', async () => {
    const { x, truth } = faces(5, 4, DIM, 0.5, 8);
    const people = await PeopleIndex.open(tmpFile(), { dim: DIM, threshold: 0.4, durability: 'none' });
    const joined = await people.add(ids(20), x);
    expect(clusteringScores(truth, joined.map((p) => Number(p!.slice(1)))).bcubed.f).toBeGreaterThan(0.95);
    await people.close();
  });

  it('an int8 index is reclustered on int8 scores into the planted people', async () => {
    const { x, truth } = faces(8, 6, DIM, 0.6, 4);
    const people = await PeopleIndex.open(tmpFile(), { dim: DIM, threshold: 0.4, storage: 'i8', durability: 'none' });
    await people.add(ids(48), x);
    await people.recluster();
    const labels = ids(48).map((f) => Number(people.personOf(f)!.slice(1)));
    expect(clusteringScores(truth, labels).bcubed.f).toBeGreaterThan(0.95);
    await people.close();
  });

  it('minFaces: faces wait (null) until enough similar faces arrive', async () => {
    const { x } = faces(2, 3, DIM, 0.4, 5);
    const people = await PeopleIndex.open(tmpFile(), { dim: DIM, threshold: 0.4, minFaces: 3, durability: 'none' });
    expect(await people.add(['a0'], row(x, 0))).toEqual([null]);
    expect(await people.add(['b0'], row(x, 3))).toEqual([null]);
    expect(await people.add(['a1'], row(x, 1))).toEqual([null]);
    const [p] = await people.add(['a2'], row(x, 2));
    expect(p).not.toBeNull();
    expect(people.personOf('a0')).toBe(p);
    expect(people.personOf('a1')).toBe(p);
    expect(people.personOf('b0')).toBeNull();
    await people.close();
  });

  it('corrections stick: reject, assign and merge survive later adds, recluster and reopen', async () => {
    const file = tmpFile();
    const { x } = faces(4, 5, DIM, 0.5, 11);
    let people = await PeopleIndex.open(file, { dim: DIM, threshold: 0.4, durability: 'none' });
    const joined = await people.add(ids(20), x);
    const [pa, pb, pc] = [joined[0]!, joined[5]!, joined[10]!];
    // f1 is not pa: it leaves and is placed elsewhere.
    const moved = await people.reject('f1', pa);
    expect(moved).not.toBe(pa);
    // f6 is (by the user's word) person pc.
    await people.assign('f6', pc);
    // pb (minus f6) and pc's are one person to the user.
    await people.merge(pc, pb);
    expect(people.personOf('f7')).toBe(pc);
    expect(people.facesOf(pb)).toEqual(people.facesOf(pc)); // the retired id resolves
    const check = () => {
      expect(people.personOf('f1')).not.toBe(pa);
      expect(people.personOf('f6')).toBe(pc);
      for (const f of ['f5', 'f7', 'f8', 'f9', 'f10', 'f11']) expect(people.personOf(f)).toBe(pc);
    };
    check();
    // A later add of another face like f1 still can't drag f1 back; a rerun of the grouping keeps it all.
    await people.add(['late'], row(x, 2));
    await people.recluster();
    check();
    expect(people.personOf('f0')).toBe(pa); // ids kept where the group is the same
    await people.close();
    people = await PeopleIndex.open(file, { threshold: 0.4 });
    check();
    await people.recluster();
    check();
    await people.close();
  });

  it("assign(face, null) takes a face out of every person for good", async () => {
    const { x } = faces(2, 4, DIM, 0.4, 2);
    const people = await PeopleIndex.open(tmpFile(), { dim: DIM, threshold: 0.4, durability: 'none' });
    await people.add(ids(8), x);
    await people.assign('f0', null);
    expect(people.personOf('f0')).toBeNull();
    await people.recluster();
    expect(people.personOf('f0')).toBeNull();
    await people.close();
  });

  it('remove, searchPeople and templates', async () => {
    const { x, centres } = faces(3, 4, DIM, 0.4, 6);
    const people = await PeopleIndex.open(tmpFile(), { dim: DIM, threshold: 0.4, durability: 'none' });
    const joined = await people.add(ids(12), x);
    const hits = people.searchPeople(Float32Array.from(centres[1]), 2);
    expect(hits[0].person).toBe(joined[4]);
    expect(hits[0].score).toBeGreaterThan(hits[1].score);
    expect(people.template(joined[4]!)!.length).toBe(DIM);
    expect(await people.remove(['f4', 'f5', 'f6', 'f7', 'zzz'])).toBe(4);
    expect(people.people()).not.toContain(joined[4]);
    expect(people.personOf('f4')).toBeUndefined();
    expect(people.searchPeople(Float32Array.from(centres[1]), 3).map((h) => h.person)).not.toContain(joined[4]);
    await people.close();
  });

  it('rejects bad arguments naming them', async () => {
    const people = await PeopleIndex.open(tmpFile(), { dim: DIM, threshold: 0.4, durability: 'none' });
    await expect(PeopleIndex.open(tmpFile(), { dim: DIM, threshold: 3 })).rejects.toThrow(/options.threshold/);
    await expect(people.add(['a'], new Float32Array(3))).rejects.toThrow(/embeddings/);
    await expect(people.assign('nope', null)).rejects.toThrow(/faceId/);
    await people.add(['a'], new Float32Array(DIM).fill(1));
    await expect(people.assign('a', 'p999')).rejects.toThrow(/person/);
    await expect(people.merge('p1', 'p999')).rejects.toThrow(/b:/);
    expect(() => people.searchPeople(new Float32Array(DIM), 0)).toThrow(/k:/);
    await people.close();
    await expect(people.add(['b'], new Float32Array(DIM))).rejects.toThrow(/closed/);
  });
});
