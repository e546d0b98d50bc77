#!/usr/bin/env bash
# Quick start: a real release of examples/python-service against local services only (dockerd, a
# docker-registry and the GitHub API stand-in, all on loopback), then the dry-run plan of the next one.
# See scripts/demo.ts for what it does step by step.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/node-env.sh
npm run build --silent

# The demo reuses the test harness (test/helpers) as is: compile it with the demo, next to
# node_modules so that its imports (execa) resolve.
out=node_modules/.cache/srs-demo
rm -rf "$out"
node node_modules/typescript/bin/tsc --outDir "$out" --rootDir . --module NodeNext --moduleResolution NodeNext --target ES2022 \
  --lib ES2023 --types node --skipLibCheck --noCheck scripts/demo.ts
node "$out/scripts/demo.js" "$@"
