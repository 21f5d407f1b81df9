#!/usr/bin/env bash
# The foundation demo: a coordinator and three agents on this machine. They create a
# cluster state folder, enroll with single-use bootstrap tokens, attach over mutual TLS,
# report their facts and run sysctl.kubernetes as a dry run while its events stream live.
# Everything lives in a temporary folder and on 127.0.0.1; all processes are stopped at exit.
set -euo pipefail
cd "$(dirname "$0")/../.."

work=$(mktemp -d /tmp/kumi-demo.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Building the kumi CLI and the agent"
node tools/build/bundle.mjs apps/coordinator/src/main.ts "$work/kumi.cjs" --all
node tools/build/bundle.mjs apps/agent/src/main.ts "$work/kumi-agent.cjs" --all
export KUMI_STATE_DIR="$work/cluster"
kumi() { node "$work/kumi.cjs" "$@"; }
port=17443

say "kumi init: CA, serving certificate, token store"
kumi init --name demo --address 127.0.0.1 --port "$port" --listen-host 127.0.0.1

say "kumi serve (in the background; logs in $KUMI_STATE_DIR/logs/kumi.log)"
# Started directly (not through the kumi function) so that $! is the server itself.
node "$work/kumi.cjs" serve >"$work/serve.out" 2>&1 &
pids+=($!)

for host in master1 master2 worker1; do
  # Each agent gets only what cloud-init would give it: the coordinator address, the CA
  # pin and a single-use token bound to its host name, in a 0600 agent.yaml.
  mkdir -p "$work/$host/root"
  (umask 077; kumi token create --host "$host" --ttl 10m | sed -n '/^coordinator:/,$p' >"$work/$host/agent.yaml")
  node "$work/kumi-agent.cjs" run --config "$work/$host/agent.yaml" \
    --state-dir "$work/$host/state" --root "$work/$host/root" >"$work/$host/agent.log" 2>&1 &
  pids+=($!)
done
echo "minted three single-use tokens, one per host (written to each agent's 0600 agent.yaml)"

say "Waiting for three agents to enroll and attach"
for _ in $(seq 1 50); do
  [ "$(kumi agents --json | node -e 'console.log(JSON.parse(require("fs").readFileSync(0,"utf8")).length)')" = 3 ] && break
  sleep 0.2
done
kumi agents

for host in master1 master2 worker1; do
  say "kumi run sysctl.kubernetes --host $host --dry-run"
  kumi run sysctl.kubernetes --host "$host" --dry-run
done

say "Done: the agents enrolled once; their tokens are burnt"
kumi token list
