// Lists native sources for binding.gyp, so adding a kernel file needs no edit there.
// Usage: node tools/gyp-sources.cjs base|avx2|avx512|addon
const fs = require('node:fs');
const path = require('node:path');

const kind = process.argv[2];
const list = (dir) =>
  fs.readdirSync(path.join(__dirname, '..', dir))
    .filter((f) => f.endsWith('.cc'))
    .sort()
    .map((f) => `${dir}/${f}`);

const isaOf = (f) => (f.endsWith('_avx512.cc') ? 'avx512' : f.endsWith('_avx2.cc') ? 'avx2' : 'base');
const files = kind === 'addon' ? list('native/addon') : list('native/src').filter((f) => isaOf(f) === kind);
process.stdout.write(files.join(' '));
