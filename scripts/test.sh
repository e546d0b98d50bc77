#!/usr/bin/env bash
# The project's test command: setup, then lint, type check, build and every test (unit and integration,
# against real git, dockerd, docker-registry, python -m build and twine), then each benchmark once at smoke size.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run lint
npm run typecheck
npm run build
npx vitest run
# Benchmarks never assert timings; CI runs each once at a small size so they cannot rot.
npm run bench:smoke
