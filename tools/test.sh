#!/usr/bin/env bash
# The one test command: installs what is needed, then lint, typecheck and test for every
# project. The Nx cache is skipped so that every run really runs everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
export NX_DAEMON=false NX_NO_CLOUD=true
npx nx run-many -t lint typecheck test --outputStyle=stream --parallel=2 --skip-nx-cache
