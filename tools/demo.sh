#!/usr/bin/env bash
# The README's main command: installs what is needed, then runs the lab demo
# (tools/demo/lab-demo.ts: kumi up on the seed topology, verify, failover drill, summary).
#   npm run demo              run it and tear the lab down
#   npm run demo -- --keep    leave the lab up afterwards to explore it
# Without root it refuses: the lab needs namespaces, a bridge and mounts. The foundation
# demo (coordinator and agents on this machine, no root) is tools/demo/agents-on-this-machine.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  cat >&2 <<'MSG'
demo: refusing to run without root. The lab demo builds six hosts in network namespaces on a
private bridge, with overlay mounts, HAProxy, keepalived and etcd inside them: that needs root
(CAP_SYS_ADMIN, CAP_NET_ADMIN), and so does installing its Debian packages.
Run it as root (e.g. `sudo npm run demo`), or run the foundation demo, which needs no root:
  bash tools/demo/agents-on-this-machine.sh
MSG
  exit 1
fi
bash tools/setup.sh
exec npx tsx tools/demo/lab-demo.ts "$@"
