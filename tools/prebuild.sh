#!/usr/bin/env bash
# Builds the addon the package ships, prebuilds/<platform>-<arch>/facecore.node, in its own
# folder (build-pack/), so packing never rebuilds, strips or removes the developer's build/.
# build-pack/ is kept between runs: make rebuilds only what changed. The copy is stripped of
# symbols (about 10% smaller); the developer's build keeps them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/build-pack"
target="$root/prebuilds/$(node -p 'process.platform + "-" + process.arch')"

# Fresh copies of the sources with their timestamps (cp -p), so make sees what changed and a
# deleted source file does not linger in gyp's source list.
mkdir -p "$work/native" "$work/tools"
rm -rf "$work/native/include" "$work/native/src" "$work/native/addon"
cp -rp "$root/native/include" "$root/native/src" "$root/native/addon" "$work/native/"
cp -p "$root/binding.gyp" "$work/"
cp -p "$root/tools/gyp-sources.cjs" "$work/tools/"
ln -sfn "$root/node_modules" "$work/node_modules"

cd "$work"
node-gyp() { node "$root/node_modules/node-gyp/bin/node-gyp.js" "$@"; }
node-gyp configure --release --loglevel=warn >/dev/null
node-gyp build --jobs "${JOBS:-2}" --loglevel=warn >/dev/null

mkdir -p "$target"
cp build/Release/facecore.node "$target/facecore.node.tmp"
if [ "$(uname)" = Linux ]; then strip --strip-all "$target/facecore.node.tmp"; fi
if [ "$(uname)" = Darwin ]; then strip -Sx "$target/facecore.node.tmp"; fi
mv "$target/facecore.node.tmp" "$target/facecore.node"
echo "prebuild: ${target#"$root"/}/facecore.node ($(wc -c < "$target/facecore.node") bytes)"
