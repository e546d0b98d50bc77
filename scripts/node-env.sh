# Sourced by scripts/setup.sh, test.sh and demo.sh: puts a Node that semantic-release 25 and the
# current official plugins accept (^22.22.2 || >=24.15) first on PATH, without touching the system's.
#
# When the `node` on PATH is older (these Debian machines ship Node 20), Node 22 comes from the npm
# registry into .tools/ of this checkout. It is the platform package of the registry's `node`
# package (`node-linux-<arch>`, the binary that `npm i node@22` would fetch in its install script):
# npm 11 does not run install scripts it has not been told to trust, so the package with the
# binary itself is installed. SRS_NODE_LATEST names the newest Node the registry serves (26 today),
# which CI runs the end-to-end chain on a second time.
SRS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRS_TOOLS="$SRS_ROOT/.tools"

srs_node_ok() { # accepts ^22.22.2 || >=24.15
  "$1" -e '
    const [a, b, c] = process.versions.node.split(".").map(Number);
    const ok = (a === 22 && (b > 22 || (b === 22 && c >= 2))) || (a === 24 && b >= 15) || a > 24;
    process.exit(ok ? 0 : 1);' 2>/dev/null
}

# srs_install_node MAJOR → prints the bin directory of Node MAJOR from the npm registry.
srs_install_node() {
  local major=$1 arch dir
  arch=$(uname -m)
  case "$arch" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; esac
  dir="$SRS_TOOLS/node-$major"
  if [ ! -x "$dir/node_modules/node-linux-$arch/bin/node" ]; then
    echo "Installing Node $major from the npm registry (node-linux-$arch@$major) into $dir" >&2
    mkdir -p "$dir"
    echo '{ "private": true }' >"$dir/package.json"
    npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error "node-linux-$arch@$major" >&2
  fi
  echo "$dir/node_modules/node-linux-$arch/bin"
}

if ! srs_node_ok "$(command -v node || echo node)"; then
  SRS_NODE_BIN="$(srs_install_node 22)"
  export PATH="$SRS_NODE_BIN:$PATH"
fi
srs_node_ok node || { echo "node-env: $(command -v node) $(node --version) is not ^22.22.2 || >=24.15" >&2; exit 1; }

# srs_install_semantic_release MAJOR → prints the CLI of semantic-release MAJOR, installed into .tools/
# (the end-to-end chain runs again under the oldest major the peer range accepts).
srs_install_semantic_release() {
  local major=$1 dir="$SRS_TOOLS/semantic-release-$1"
  if [ ! -f "$dir/node_modules/semantic-release/bin/semantic-release.js" ]; then
    echo "Installing semantic-release $major from the npm registry into $dir" >&2
    mkdir -p "$dir"
    echo '{ "private": true }' >"$dir/package.json"
    npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error "semantic-release@$major" >&2
  fi
  echo "$dir/node_modules/semantic-release/bin/semantic-release.js"
}
