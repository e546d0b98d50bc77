#!/usr/bin/env bash
# The project's test command: setup, then lint, type check, build and every test (unit and integration,
# against real git, dockerd, docker-registry, python -m build and twine) on Node 22, the end-to-end
# release chain again on the newest Node the npm registry serves and under semantic-release 24, then
# each benchmark once at smoke size.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/node-env.sh
npm run lint
npm run typecheck
npm run build
npx vitest run
# The same chain of releases through the real CLI on the other supported platforms.
SRS_TEST_NODE="$(srs_install_node latest)/node" npx vitest run test/e2e/release-chain.test.ts
SRS_TEST_SEMANTIC_RELEASE="$(srs_install_semantic_release 24)" npx vitest run test/e2e/release-chain.test.ts
# Benchmarks never assert timings; CI runs each once at a small size so they cannot rot.
npm run bench:smoke
