// Lets a child process run the TypeScript sources directly (node --import ./test/helpers/ts-loader.mjs
// child.ts), as vitest does in-process: .ts files are stripped of types by oxc (the transformer
// vitest's bundler ships), and imports of './x.js' find './x.ts'.
import { register } from 'node:module';

register('./ts-loader-hooks.mjs', import.meta.url);
