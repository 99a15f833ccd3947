#!/usr/bin/env bash
# Stops exactly the nodes scripts/launch.sh started, as listed in its pid file: SIGTERM (the node
# leaves the cluster gracefully), up to 30 s to exit, then SIGKILL for any still running.
#
#   scripts/stop.sh          LAUNCH_DIR as given to launch.sh (default artifacts/launch)
set -euo pipefail

launch_dir="${LAUNCH_DIR:-}"
[[ -z "$launch_dir" || "$launch_dir" == /* ]] || launch_dir="$PWD/$launch_dir"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
launch_dir="${launch_dir:-$root/artifacts/launch}"
pid_file="$launch_dir/pids"
grace_s=30

if [[ ! -f "$pid_file" ]]; then
  echo "No launched nodes recorded in $pid_file; nothing to stop."
  exit 0
fi

# A recorded pid may since have been reused by another program: only a Silo.dll process is signalled.
is_node() {
  ps -o args= -p "$1" 2>/dev/null | grep -q 'Silo\.dll'
}

running=()
while read -r pid id ip; do
  [[ -n "${pid:-}" ]] || continue
  if is_node "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    running+=("$pid")
    echo "Stopping node $id ($ip), pid $pid."
  else
    echo "Node $id ($ip), pid $pid, is not running."
  fi
done < "$pid_file"

deadline=$((SECONDS + grace_s))
while :; do
  left=()
  for pid in ${running[@]+"${running[@]}"}; do
    if is_node "$pid"; then left+=("$pid"); fi
  done
  (( ${#left[@]} == 0 )) && break
  if (( SECONDS >= deadline )); then
    echo "Still running after ${grace_s} s, killing: ${left[*]}." >&2
    kill -KILL "${left[@]}" 2>/dev/null || true
    break
  fi
  sleep 0.5
done

rm -f "$pid_file"
echo "Stopped ${#running[@]} node(s)."
