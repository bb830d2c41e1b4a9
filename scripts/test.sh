#!/usr/bin/env bash
# One command: set up, lint, build and run every test (unit, integration, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run lint
npm test
