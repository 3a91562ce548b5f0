// The README's API snippet is examples/readme-api.js word for word, and it runs as written:
// `import ... from 'facecore'` resolves (a package may import itself by name) to the current
// sources, type-stripped into a temporary tree, on three shared photos of known people.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { exampleTree } from './example-tree.js';
import { hasShared, repoRoot, sharedData } from '../helpers/shared.js';

const run = promisify(execFile);
const example = fs.readFileSync(path.join(repoRoot, 'examples/readme-api.js'), 'utf8');
const trees: string[] = [];
afterAll(() => {
  for (const tree of trees) fs.rmSync(tree, { recursive: true, force: true });
});

describe('the README API snippet (examples/readme-api.js)', () => {
  it('is the example file, word for word', () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const api = readme.slice(readme.indexOf('\n## API\n'));
    const block = /```js\n([\s\S]*?)```/.exec(api);
    expect(block, 'a ```js block under "## API" in README.md').not.toBeNull();
    expect(block![1]).toBe(example);
  });

  // deepface img1 and img2: Angelina Jolie; img8: another person (../shared/data/deepface/labels.csv).
  it.skipIf(!hasShared)('runs as written: verifies, searches, groups (needs ../shared)', async () => {
    const tree = exampleTree();
    trees.push(tree);
    const photos = ['img1.jpg', 'img2.jpg', 'img8.jpg'].map((f) => sharedData('deepface', f));
    const { stdout } = await run(process.execPath, [path.join(tree, 'examples/readme-api.js'), ...photos], { cwd: tree });
    expect(stdout).toMatch(/^1 face\(s\) in img1\.jpg, the first at \[\d+,\d+,\d+,\d+\]$/m);
    expect(stdout).toMatch(/^a vs b: cosine 0\.\d+, same person: true$/m);
    expect(stdout).toMatch(/^b looks most like alice \(0\.\d+\), then carol \(-?\d\.\d+\)$/m);
    expect(stdout).toMatch(/^topK: row 0 /m);
    const groups = /^(\d+) people: a -> (\d+), b -> (\d+), c -> (\d+)$/m.exec(stdout);
    expect(groups, stdout).not.toBeNull();
    const [, count, ga, gb, gc] = groups!;
    expect([count, ga === gb, ga === gc]).toEqual(['2', true, false]);
  });
});
