#!/usr/bin/env bash
# Installs what the tests and the demo need on a fresh Debian 12 machine, then the npm dependencies.
# Idempotent: packages already present are not fetched again.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  git ca-certificates
  openssl              # a self-signed certificate for the HTTPS test of the HTTP client
  tinyproxy-bin        # a real HTTP proxy for the HTTP_PROXY/HTTPS_PROXY/NO_PROXY tests (binary, no service)
  docker.io            # dockerd + docker CLI: image builds and pushes
  docker-registry      # distribution v2.8: the real OCI registry the tests push to
  apache2-utils        # htpasswd, for the registry's basic auth
  podman buildah       # the alternative image builders
  busybox-static       # a RUN step in FROM-scratch images (no base images offline)
  python3 python3-build python3-setuptools python3-wheel python3-packaging python3-venv twine
  python3-setuptools-scm python3-hatchling python3-hatch-vcs python3-poetry-core  # the build backends of the python kind's example projects
  tar gzip unzip
  jq time             # the baseline of the release benchmark (sed/jq edits) and peak-memory readings
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "Installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for tool in git dockerd docker-registry htpasswd tinyproxy /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is still missing after apt-get install" >&2; exit 1; }
done
/usr/bin/python3 -c 'import build, setuptools, wheel, packaging, twine' \
  || { echo "setup: /usr/bin/python3 lacks build/setuptools/wheel/packaging/twine (apt-get install python3-build python3-setuptools python3-wheel python3-packaging twine)" >&2; exit 1; }

# Node ^22.22.2 || >=24.15 first on PATH (from the npm registry when the system's is older).
source scripts/node-env.sh
echo "setup: node $(node --version) at $(command -v node)"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
