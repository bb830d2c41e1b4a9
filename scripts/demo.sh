#!/usr/bin/env bash
# One command: set up, then run the demo fleet (three simulated units) and the companion.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run demo -- "$@"
