#!/usr/bin/env bash
# The README's main command: installs what is needed, then runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
exec bash tools/demo/agents-on-this-machine.sh "$@"
