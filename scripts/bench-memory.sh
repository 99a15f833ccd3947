#!/usr/bin/env bash
# Memory per key and memory under a budget, against redis-server (a benchmark, not a test: it asserts
# nothing, it prints two tables).
#
#   scripts/bench-memory.sh [--no-publish]
#
# 1. Per key: loads the same N distinct keys into a 1-node cluster (REPLICATION_FACTOR=1, so one copy of
#    each; EVICTION_POLICY=noeviction) and into redis-server: one stream of N pipelined
#    `SET key:<12 digits> <V bytes>` on one connection (the shape of redis-benchmark's keys), then checks
#    that all N exist (DBSIZE, the node's /stats). Per key, (after - before) / N:
#      node:   managedHeapBytes of GET /stats?gc=true (after a full compacting collection) and VmRSS;
#      redis:  used_memory of INFO memory and VmRSS;
#    and the node's own estimate (/stats "bytes", what MAX_MEMORY_BYTES limits), each against redis-server.
# 2. Under a budget: a node with MAX_MEMORY_BYTES=64 MiB (EVICTION_POLICY=lru) and a redis-server with
#    maxmemory 64 MiB (allkeys-lru) each get F distinct `SET fill:<12 digits> <1000 bytes>`, ten times the
#    budget in values; reported: each one's RSS when empty and its peak RSS (VmHWM) after, against the
#    target "peak under 2 x budget + the empty RSS", and the keys kept.
#
#   --no-publish        use the binaries already in BENCH_PUBLISH_DIR (published if absent)
#   BENCH_KEYS          keys loaded in 1 (default 1000000)
#   BENCH_VALUE_SIZE    bytes per value in 1 (default 100)
#   BENCH_BASELINE_DIR  also measure the build published there (scripts/publish.sh DIR), as "baseline"
#   BENCH_VARIANT       also measure this build with these variables, as "variant"
#                       (e.g. "DOTNET_GCConserveMemory=5", "DOTNET_gcServer=0")
#   BENCH_FIRST_IP      first of the 4 addresses used (default 127.0.0.230: redis-server, then one per node)
#   BENCH_DIR           logs (default artifacts/bench)
#   BENCH_PUBLISH_DIR   where scripts/publish.sh puts the binaries (default artifacts/publish)
set -euo pipefail

script=bench-memory.sh
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
bench_arguments "$@"

keys="${BENCH_KEYS:-1000000}"
value_size="${BENCH_VALUE_SIZE:-100}"
budget=$((64 * 1024 * 1024))
fill_value_size=1000
fill_keys=$((10 * budget / fill_value_size))
bench_positive keys value_size
bench_addresses 4 127.0.0.230
bench_require redis-server redis-cli curl dotnet
redis_ip="$(ip_of 0)"

# The builds measured, each "label|Silo.dll|VAR=value ...", run one after the other on their own address.
targets=()
baseline_dir="${BENCH_BASELINE_DIR:-}"
if [[ -n "$baseline_dir" ]]; then
  [[ -f "$baseline_dir/silo/Silo.dll" ]] || bench_fail "BENCH_BASELINE_DIR must hold silo/Silo.dll; $baseline_dir does not."
  targets+=("baseline|$baseline_dir/silo/Silo.dll|")
fi
targets+=("1-node|$publish_dir/silo/Silo.dll|")
[[ -z "${BENCH_VARIANT:-}" ]] || targets+=("variant|$publish_dir/silo/Silo.dll|$BENCH_VARIANT")

bench_publish

rss() { # pid -> resident bytes now
  awk '$1 == "VmRSS:" { print $2 * 1024 }' "/proc/$1/status"
}

peak_rss() { # pid -> the most it was ever resident
  awk '$1 == "VmHWM:" { print $2 * 1024 }' "/proc/$1/status"
}

json_number() { # name json -> the first "name":number in json
  grep -o "\"$1\":[0-9]*" <<< "$2" | head -n 1 | cut -d: -f2
}

redis_info() { # field -> its value in INFO
  redis-cli -h "$redis_ip" info "$2" | tr -d '\r' | awk -F: -v field="$1" '$1 == field { print $2 }'
}

# A node runs at most one forced collection per 10 s (429 before then): ask until it runs one.
node_stats() { # ip
  local attempt
  for attempt in $(seq 1 15); do
    curl -fsS --max-time 60 "http://$1:8080/stats?gc=true" && return 0
    sleep 1
  done
  echo "node_stats: $attempt attempts without a collection" >&2
  return 1
}

per_key=()   # "target measure before after per-key redis-per-key"
budget_rows=()  # "target empty-rss peak-rss keys-kept"

# 1 and 2 for redis-server, each on a fresh server.
start_redis memory-redis-server "$redis_ip"
redis_pid=$last_pid
bench_wait_until redis-server redis_up "$redis_ip"
redis_used0=$(redis_info used_memory memory)
redis_rss0=$(rss "$redis_pid")
load_keys redis-server "$redis_ip" key "$keys" "$value_size"
(( $(redis-cli -h "$redis_ip" dbsize | tr -d '\r') == keys )) || bench_fail "redis-server does not hold $keys keys."
redis_used1=$(redis_info used_memory memory)
redis_rss1=$(rss "$redis_pid")
redis_used_per_key=$(( (redis_used1 - redis_used0) / keys ))
redis_rss_per_key=$(( (redis_rss1 - redis_rss0) / keys ))
per_key+=("redis-server used_memory(INFO) $redis_used0 $redis_used1 $redis_used_per_key -")
per_key+=("redis-server RSS $redis_rss0 $redis_rss1 $redis_rss_per_key -")
stop_pid "$redis_pid"

start_redis memory-redis-budget "$redis_ip"
redis_pid=$last_pid
bench_wait_until redis-server redis_up "$redis_ip"
redis-cli -h "$redis_ip" config set maxmemory "$budget" > /dev/null
redis-cli -h "$redis_ip" config set maxmemory-policy allkeys-lru > /dev/null
redis_empty=$(rss "$redis_pid")
load_keys redis-budget "$redis_ip" fill "$fill_keys" "$fill_value_size"
budget_rows+=("redis-server $redis_empty $(peak_rss "$redis_pid") $(redis-cli -h "$redis_ip" dbsize | tr -d '\r')")
stop_pid "$redis_pid"

# Then each build of the node, one at a time.
index=1
for target in "${targets[@]}"; do
  IFS='|' read -r label dll variables <<< "$target"
  read -r -a extra <<< "$variables"
  node_ip="$(ip_of "$index")"
  index=$((index + 1))

  silo_dll="$dll" start_node "memory-$label" 0 "$node_ip" CLUSTER_ID=bench-memory REPLICATION_FACTOR=1 EVICTION_POLICY=noeviction "${extra[@]}"
  node_pid=$last_pid
  bench_wait_until "$label" cluster_up "$node_ip"
  stats="$(node_stats "$node_ip")"
  heap0=$(json_number managedHeapBytes "$stats")
  rss0=$(rss "$node_pid")
  load_keys "$label" "$node_ip" key "$keys" "$value_size"
  stats="$(node_stats "$node_ip")"
  (( $(json_number keys "$stats") == keys )) || bench_fail "$label holds $(json_number keys "$stats") keys, not $keys."
  echo "$label: $stats" > "$bench_dir/memory-after-$label.txt"
  heap1=$(json_number managedHeapBytes "$stats")
  rss1=$(rss "$node_pid")
  per_key+=("$label heap-after-full-GC $heap0 $heap1 $(( (heap1 - heap0) / keys )) $redis_used_per_key")
  per_key+=("$label RSS $rss0 $rss1 $(( (rss1 - rss0) / keys )) $redis_rss_per_key")
  per_key+=("$label GC-committed - $(json_number gcCommittedBytes "$stats") - -")
  per_key+=("$label estimate(/stats-bytes) 0 $(json_number bytes "$stats") $(( $(json_number bytes "$stats") / keys )) $redis_used_per_key")
  stop_pid "$node_pid"

  silo_dll="$dll" start_node "memory-budget-$label" 0 "$node_ip" CLUSTER_ID=bench-memory-budget REPLICATION_FACTOR=1 \
    EVICTION_POLICY=lru MAX_MEMORY_BYTES="$budget" "${extra[@]}"
  node_pid=$last_pid
  bench_wait_until "$label with a 64 MiB budget" cluster_up "$node_ip"
  empty=$(rss "$node_pid")
  load_keys "$label-budget" "$node_ip" fill "$fill_keys" "$fill_value_size"
  stats="$(curl -fsS --max-time 10 "http://$node_ip:8080/stats")"
  budget_rows+=("$label $empty $(peak_rss "$node_pid") $(json_number keys "$stats")")
  stop_pid "$node_pid"
done

echo
echo "1. $keys distinct keys (key:<12 digits>), $value_size-byte values, one copy each; bytes"
printf '%s\n' "${per_key[@]}" | awk -v n="$keys" '{
  printf "%-14s %-24s %14s %14s %9s %9s\n", $1, $2, $3, $4, $5, ($6 == "-" || $5 == "-" ? "-" : sprintf("%.2fx", $5 / $6))
}' | sed '1i TARGET         MEASURE                          BEFORE          AFTER   PER_KEY  VS_REDIS'
echo
echo "2. $fill_keys distinct keys of $fill_value_size bytes (10x the budget in values) into a 64 MiB budget (lru); bytes"
printf '%s\n' "${budget_rows[@]}" | awk -v budget="$budget" '{
  limit = 2 * budget + $2
  printf "%-14s %14s %14s %14s %9.2f %-6s %10s\n", $1, $2, $3, limit, $3 / limit, ($3 <= limit ? "under" : "OVER"), $4
}' | sed '1i TARGET              EMPTY_RSS       PEAK_RSS    2xBUDGET+EMPTY  PEAK/LIMIT        KEYS_KEPT'
