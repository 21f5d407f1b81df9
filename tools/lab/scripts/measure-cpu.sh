#!/usr/bin/env bash
# Wall time and CPU time of a command and EVERY process it starts, lab hosts included (they are
# re-parented to their namespace's PID 1, so `time` misses them; a cgroup does not).
# usage (root): tools/lab/scripts/measure-cpu.sh NAME -- COMMAND...
# Prints "measure NAME: wall S s, cpu S s (N.N cores on average)". Uses the cgroup v1 cpuacct
# hierarchy, or cgroup v2 when that is what the machine mounts.
set -euo pipefail
name=$1; shift
[ "${1:-}" = "--" ] && shift
if [ -d /sys/fs/cgroup/cpuacct ]; then
  group=/sys/fs/cgroup/cpuacct/kumi-measure-$name-$$
  mkdir "$group"
  read_ns() { cat "$group/cpuacct.usage"; }
elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  group=/sys/fs/cgroup/kumi-measure-$name-$$
  mkdir "$group"
  read_ns() { echo $(( $(awk '/^usage_usec/ {print $2}' "$group/cpu.stat") * 1000 )); }
else
  echo "measure-cpu: no cgroup hierarchy to count CPU in" >&2; exit 2
fi
cleanup() {
  # Move anything still running back to the root group, then drop ours.
  if [ -f "$group/tasks" ]; then while read -r pid; do echo "$pid" > "$(dirname "$group")/tasks" 2>/dev/null || true; done < "$group/tasks"; fi
  if [ -f "$group/cgroup.procs" ]; then while read -r pid; do echo "$pid" > "$(dirname "$group")/cgroup.procs" 2>/dev/null || true; done < "$group/cgroup.procs"; fi
  rmdir "$group" 2>/dev/null || true
}
trap cleanup EXIT
start=$(date +%s.%N)
status=0
( echo "$BASHPID" > "$group/cgroup.procs"; exec "$@" ) || status=$?
end=$(date +%s.%N)
ns=$(read_ns)
awk -v n="$name" -v w="$(echo "$end - $start" | bc)" -v c="$ns" -v s="$status" 'BEGIN { printf "measure %s: wall %.0f s, cpu %.0f s (%.2f cores on average), exit %d\n", n, w, c / 1e9, (c / 1e9) / w, s }'
exit "$status"
