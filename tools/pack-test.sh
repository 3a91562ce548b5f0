#!/usr/bin/env bash
# Packs facecore and installs the tarball into a scratch project WITHOUT running any install
# script (as strict npm settings do): the prebuilt addon shipped in the package must load.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

cd "$root"
tarball="$(npm pack --silent --pack-destination "$scratch" | tail -n 1)"
tar -tzf "$scratch/$tarball" > "$scratch/files.txt"
grep -q 'package/prebuilds/linux-x64/.*\.node$' "$scratch/files.txt" || { echo "no prebuilt addon in $tarball"; exit 1; }

cd "$scratch"
npm init -y >/dev/null
npm install --ignore-scripts --prefer-offline --no-audit --no-fund "./$tarball" >/dev/null
test ! -d node_modules/facecore/build || { echo "install compiled the addon; expected the prebuild"; exit 1; }
cat > check.mjs <<'JS'
import { topK, getIsa } from 'facecore';
const gallery = new Float32Array([1, 0, 0, 1, 0.6, 0.8]);
const r = topK(new Float32Array([0, 1]), gallery, 2, 2);
if (r.indices[0] !== 1 || r.indices[1] !== 2) throw new Error(`unexpected result ${r.indices}`);
console.log(`facecore from ${process.argv[2]}: topK ok (isa ${getIsa()})`);
JS
node check.mjs "$tarball"
