// The examples as a user runs them, on the current sources: src/ type-stripped into a temporary
// tree (test/helpers/child-build.ts) whose package.json names it 'facecore', so `from 'facecore'`
// resolves there (a package may import itself by name), with dist/ pointing at the stripped src/
// for the scripts that import '../dist/...'. Remove the tree when done.
import fs from 'node:fs';
import path from 'node:path';
import { buildForChild } from '../helpers/child-build.js';
import { repoRoot } from '../helpers/shared.js';

export function exampleTree(): string {
  const tree = buildForChild();
  const pkg = { name: 'facecore', type: 'module', exports: { '.': './src/index.js' } };
  fs.writeFileSync(path.join(tree, 'package.json'), `${JSON.stringify(pkg)}\n`);
  fs.cpSync(path.join(repoRoot, 'examples'), path.join(tree, 'examples'), { recursive: true });
  fs.symlinkSync(path.join(tree, 'src'), path.join(tree, 'dist'));
  // Shipped model files, where the package has them, are found beside src/ as in the package.
  const models = path.join(repoRoot, 'models');
  if (fs.existsSync(models) && !fs.existsSync(path.join(tree, 'models'))) fs.symlinkSync(models, path.join(tree, 'models'));
  return tree;
}
