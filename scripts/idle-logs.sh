#!/usr/bin/env bash
# Counts what an idle cluster logs: three nodes at default settings on 127.0.0.240-242, linked in a ring
# and started 2 s apart; once they are one cluster, the lines each node writes in 30 s.
#
#   scripts/idle-logs.sh [PUBLISH_DIR]      (default: artifacts/publish, made by scripts/publish.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
publish="$(realpath "${1:-artifacts/publish}")"
logs="$(mktemp -d)"
trap 'pkill -f "$publish/silo/Silo.dll" || true' EXIT

for i in 0 1 2; do
  (cd / && NODE_ID=$i NODE_IP=127.0.0.24$i LINKED_NODE_ID=$(( (i + 1) % 3 )) LINKED_NODE_IP=127.0.0.24$(( (i + 1) % 3 )) \
    dotnet "$publish/silo/Silo.dll" > "$logs/node-$i.log" 2>&1 &)
  sleep 2
done

for _ in $(seq 1 120); do
  [ "$(curl -s -m 2 http://127.0.0.240:8080/cluster | grep -o '"status":"Active"' | wc -l)" = 3 ] && break
  sleep 1
done
sleep 10 # past the moves and log lines of formation

declare -a before
for i in 0 1 2; do before[i]=$(wc -l < "$logs/node-$i.log"); done
sleep 30
for i in 0 1 2; do
  echo "node $i: $(( $(wc -l < "$logs/node-$i.log") - before[i] )) lines in 30 s idle"
done
