// Lists native sources for binding.gyp, so adding a kernel file needs no edit there.
// Usage: node tools/gyp-sources.cjs base|avx2|avx512|avx512vnni|addon
// The ISA is the file name's suffix: foo_avx2.cc, foo_avx512.cc, foo_avx512vnni.cc.
const fs = require('node:fs');
const path = require('node:path');

const kind = process.argv[2];
const list = (dir) =>
  fs.readdirSync(path.join(__dirname, '..', dir))
    .filter((f) => f.endsWith('.cc'))
    .sort()
    .map((f) => `${dir}/${f}`);

const isaOf = (f) => f.match(/_(avx2|avx512|avx512vnni)\.cc$/)?.[1] ?? 'base';
const files = kind === 'addon' ? list('native/addon') : list('native/src').filter((f) => isaOf(f) === kind);
process.stdout.write(files.join(' '));
