// Child processes in tests run the TypeScript sources as plain JavaScript: src/ and a test's
// fixtures are stripped of types once (oxc, vitest's own transformer) into a temporary tree
// laid out like the repository, with build/, node_modules and models/ linked in. Starting a child is
// then as cheap as starting node (no loader hooks in every child).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transformSync } from 'rolldown/experimental';
import { repoRoot } from './shared.js';

function transformTree(from: string, to: string): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    if (entry.isDirectory()) {
      transformTree(src, path.join(to, entry.name));
    } else if (entry.name.endsWith('.ts')) {
      const { code, errors } = transformSync(src, fs.readFileSync(src, 'utf8'), { lang: 'ts', sourceType: 'module' });
      if (errors.length > 0) throw new Error(`${src}: ${errors.map((e) => e.message).join('; ')}`);
      fs.mkdirSync(to, { recursive: true });
      fs.writeFileSync(path.join(to, entry.name.replace(/\.ts$/, '.js')), code);
    }
  }
}

/** Builds src/ plus the given repo-relative folders; returns the tree's root (remove it when done). */
export function buildForChild(...folders: string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'facecore-child-'));
  for (const folder of ['src', ...folders]) transformTree(path.join(repoRoot, folder), path.join(root, folder));
  fs.writeFileSync(path.join(root, 'package.json'), '{ "type": "module" }\n');
  for (const link of ['build', 'node_modules', 'models']) fs.symlinkSync(path.join(repoRoot, link), path.join(root, link));
  return root;
}
