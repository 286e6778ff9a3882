#!/usr/bin/env bash
# Install code-server 4.100.3 (real VS Code 1.100.3, served to a browser) into
# editors/vscode/.code-server for `make test-vscode`, from the npm registry only: its install
# scripts are skipped (they download prebuilt binaries), the native modules are compiled here
# against the installed Node.js headers, and Debian's ripgrep stands in for the downloaded one.
# Needs Node.js 20 (code-server's own requirement), its headers (/usr/include/node), gcc/make,
# and Debian's ripgrep and chromium for the test itself.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${1:-$here/.code-server}"
version=4.100.3
[ "$(node -p 'process.versions.node.split(".")[0]')" = 20 ] || { echo "code-server $version needs Node.js 20"; exit 1; }
nodedir="${NODEDIR:-$(dirname "$(dirname "$(command -v node)")")}"
[ -f "$nodedir/include/node/node.h" ] || { echo "Node.js headers not found under $nodedir/include/node (set NODEDIR)"; exit 1; }
command -v rg >/dev/null || { echo "ripgrep not found (apt-get install ripgrep)"; exit 1; }

npm() { command npm --no-audit --no-fund --loglevel=error "$@"; }
mkdir -p "$prefix"
npm install --prefix "$prefix" --ignore-scripts "code-server@$version"
cs="$prefix/node_modules/code-server"
export npm_config_nodedir="$nodedir"
(cd "$prefix" && npm rebuild argon2 --build-from-source)
cd "$cs/lib/vscode"
npm install --omit=dev --ignore-scripts
# What code-server's postinstall does, minus downloads. kerberos (proxy authentication) is left
# out: it needs the Kerberos headers and the test does not use it. node-pty's own post-install
# step fails after building (it fetches node-gyp for compile_commands.json), so check the build.
npm rebuild @vscode/spdlog native-watchdog @parcel/watcher @vscode/deviceid
log="$prefix/node-pty-rebuild.log"
if ! npm rebuild node-pty >"$log" 2>&1; then
  echo "node-pty: built; its post-install step failed as expected (it downloads node-gyp); output in $log"
fi
[ -f node_modules/node-pty/build/Release/pty.node ] || { cat "$log"; echo "node-pty did not build"; exit 1; }
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev --ignore-scripts)
"$prefix/node_modules/.bin/code-server" --version
