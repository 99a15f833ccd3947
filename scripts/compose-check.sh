#!/usr/bin/env bash
# Runs compose.yaml for real, as a user would, and checks what they would see:
#
#   scripts/compose-check.sh      (a running Docker engine; Compose v2 or v1; redis-cli and curl)
#
# builds the image with the unchanged Dockerfile (`up --build`), with secrets made for this run in the
# environment (which Compose prefers to any .env, left as it is), waits until the three nodes' healthchecks
# say healthy and node0 shows one cluster of three Active nodes, checks that a client without the
# password is refused, writes keys through node0's Redis port,
# kills node1 with SIGKILL and reads every key back through node2, then tears everything down (also on
# failure, after printing the nodes' last log lines). Exits non-zero with the reason when a check fails.
# Where the registry cannot be reached, scripts/docker-base-images.sh makes the base images first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  compose=(docker-compose)
fi
keys="${COMPOSE_CHECK_KEYS:-500}"
CLUSTER_SECRET="compose-check-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
CACHE_PASSWORD="compose-check-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export CLUSTER_SECRET CACHE_PASSWORD
services=(node0 node1 node2)

fail() {
  echo "compose check failed: $*" >&2
  "${compose[@]}" ps >&2 || true
  "${compose[@]}" logs --tail 30 >&2 || true
  exit 1
}
trap '"${compose[@]}" down --volumes --remove-orphans >/dev/null 2>&1 || true' EXIT

# $1 seconds, then a command to poll every second until it succeeds.
within() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 1
  done
}

all_healthy() {
  local service id
  for service in "${services[@]}"; do
    id="$("${compose[@]}" ps -q "$service")"
    [ -n "$id" ] && [ "$(docker inspect --format '{{.State.Health.Status}}' "$id")" = healthy ] || return 1
  done
}

active_members() {
  curl -sf -m 5 -H "Authorization: Bearer $CACHE_PASSWORD" http://127.0.0.1:18080/cluster | grep -o '"status":"Active"' | wc -l
}

one_cluster_of_three() { [ "$(active_members)" -eq 3 ]; }

# Every key, read in one redis-cli session through node2, has the value written.
every_key_reads_back() {
  local i
  diff -q <(for ((i = 0; i < keys; i++)); do echo "value-$i"; done) \
    <(for ((i = 0; i < keys; i++)); do echo "GET compose:$i"; done | redis-cli -h 127.0.0.1 -p 16381 -a "$CACHE_PASSWORD" --no-auth-warning 2>/dev/null) >/dev/null
}

started=$SECONDS
echo "${compose[*]} up --build -d"
"${compose[@]}" up --build -d >/tmp/compose-up.log 2>&1 || { tail -n 40 /tmp/compose-up.log >&2; fail "up --build did not succeed"; }
echo "image built and containers started in $((SECONDS - started)) s"

within 240 all_healthy || fail "the nodes did not all become healthy within 240 s"
within 60 one_cluster_of_three || fail "node0 shows $(active_members) Active members, not 3"
echo "three nodes healthy, one cluster, $((SECONDS - started)) s after up"

anonymous=$(curl -s -o /dev/null -w '%{http_code}' -m 5 http://127.0.0.1:18080/cluster)
[ "$anonymous" = 401 ] || fail "GET /cluster without the password answered $anonymous, not 401"
echo "a client without CACHE_PASSWORD is refused (401)"

written=$(for ((i = 0; i < keys; i++)); do echo "SET compose:$i value-$i"; done \
  | redis-cli -h 127.0.0.1 -p 16379 -a "$CACHE_PASSWORD" --no-auth-warning | grep -cx OK || true)
[ "$written" -eq "$keys" ] || fail "only $written of $keys writes through node0 answered OK"
echo "wrote $keys keys through node0"

"${compose[@]}" kill -s SIGKILL node1 >/dev/null 2>&1
killed=$SECONDS
within 90 every_key_reads_back || fail "not every key read back through node2 within 90 s of killing node1"
echo "node1 killed (SIGKILL); all $keys keys read back through node2 after $((SECONDS - killed)) s"
