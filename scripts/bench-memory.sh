#!/usr/bin/env bash
# Memory per key: loads the same N distinct keys into a 1-node cluster (REPLICATION_FACTOR=1, so one
# copy of each) and into redis-server, and prints the bytes each key costs (a benchmark, not a test:
# it asserts nothing, it prints a table).
#
#   scripts/bench-memory.sh [--no-publish]
#
# Both get the same stream of N pipelined `SET key:<12 digits> <V bytes>` commands on one connection,
# keys key:000000000000 .. key:<N-1> (the shape of redis-benchmark's keys), after
# which it checks that all N exist (redis-server's DBSIZE, the node's /stats). Measured before and after
# loading, per key (after - before) / N:
#   node:   managedHeapBytes of GET /stats?gc=true (after a full compacting collection) and the
#           process's VmRSS from /proc/<pid>/status;
#   redis:  used_memory of INFO memory and the process's VmRSS.
# It also shows the node's own estimate (/stats "bytes", what MAX_MEMORY_BYTES limits) and the ratio of
# each node figure to redis-server's.
#
#   --no-publish        use the binaries already in BENCH_PUBLISH_DIR (published if absent)
#   BENCH_KEYS          keys loaded (default 1000000)
#   BENCH_VALUE_SIZE    bytes per value (default 100)
#   BENCH_FIRST_IP      first of the 2 addresses used (default 127.0.0.230: redis-server, then the node)
#   BENCH_DIR           logs (default artifacts/bench)
#   BENCH_PUBLISH_DIR   where scripts/publish.sh puts the binaries (default artifacts/publish)
set -euo pipefail

script=bench-memory.sh
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
bench_arguments "$@"

keys="${BENCH_KEYS:-1000000}"
value_size="${BENCH_VALUE_SIZE:-100}"
bench_positive keys value_size
bench_addresses 2 127.0.0.230
bench_require redis-server redis-cli curl dotnet
redis_ip="$(ip_of 0)"
node_ip="$(ip_of 1)"

bench_publish
start_redis memory-redis-server "$redis_ip"
redis_pid=$last_pid
# noeviction: a write over the budget is refused (and counted below), never silently evicted.
start_node memory-node 0 "$node_ip" CLUSTER_ID=bench-memory REPLICATION_FACTOR=1 EVICTION_POLICY=noeviction
node_pid=$last_pid
ready() { redis_up "$redis_ip" && cluster_up "$node_ip"; }
bench_wait_until "redis-server and the node" ready

rss() { # pid -> resident bytes
  awk '$1 == "VmRSS:" { print $2 * 1024 }' "/proc/$1/status"
}

json_number() { # name json -> the first "name":number in json
  grep -o "\"$1\":[0-9]*" <<< "$2" | head -n 1 | cut -d: -f2
}

redis_info() { # field -> its value in INFO memory
  redis-cli -h "$redis_ip" info memory | tr -d '\r' | awk -F: -v field="$1" '$1 == field { print $2 }'
}

# A node runs at most one forced collection per 10 s (429 before then): ask until it runs one.
node_stats() {
  local attempt
  for attempt in $(seq 1 15); do
    curl -fsS --max-time 60 "http://$node_ip:8080/stats?gc=true" && return 0
    sleep 1
  done
  echo "node_stats: $attempt attempts without a collection" >&2
  return 1
}

# The stream both servers get: one SET per key, in RESP, with the same value for every key.
commands() {
  awk -v keys="$keys" -v size="$value_size" 'BEGIN {
    value = sprintf("%" size "s", ""); gsub(/ /, "x", value)
    for (i = 0; i < keys; i++) {
      key = sprintf("key:%012d", i)
      printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(key), key, size, value
    }
  }'
}

# Pipelines the stream on one connection and counts the +OK replies. Not `redis-cli --pipe`: it ends
# with an empty inline command ("\r\n") before its ECHO marker, which Redis skips and the node's RESP
# port refuses as a protocol error (it reads only RESP arrays).
load() { # name ip
  local since=$SECONDS writer replies
  echo "Loading $keys keys of $value_size bytes into $1 ..." >&2
  exec 3<>"/dev/tcp/$2/6379"
  commands >&3 &
  writer=$!
  replies=$(timeout 900 head -n "$keys" <&3 | tr -d '\r' | sort | uniq -c | tee "$bench_dir/memory-load-$1.log")
  wait "$writer" || true
  exec 3<&- 3>&-
  [[ "$(awk '{ print $1 " " $2 }' <<< "$replies")" == "$keys +OK" ]] || bench_fail "loading $1 failed; replies: $replies"
  echo "  $1 loaded in $((SECONDS - since)) s" >&2
}

# Before: the empty servers, the node after a full collection.
stats="$(node_stats)"
node_heap0=$(json_number managedHeapBytes "$stats")
node_rss0=$(rss "$node_pid")
redis_used0=$(redis_info used_memory)
redis_rss0=$(rss "$redis_pid")

load redis-server "$redis_ip"
load node "$node_ip"

redis_keys=$(redis-cli -h "$redis_ip" dbsize | tr -d '\r')
stats="$(node_stats)"
node_keys=$(json_number keys "$stats")
(( redis_keys == keys )) || bench_fail "redis-server holds $redis_keys keys, not $keys."
(( node_keys == keys )) || bench_fail "the node holds $node_keys keys, not $keys."
node_heap1=$(json_number managedHeapBytes "$stats")
node_committed1=$(json_number gcCommittedBytes "$stats")
node_estimate=$(json_number bytes "$stats")
node_rss1=$(rss "$node_pid")
redis_used1=$(redis_info used_memory)
redis_rss1=$(rss "$redis_pid")
echo "node: $stats" > "$bench_dir/memory-after.txt"
redis-cli -h "$redis_ip" info memory | tr -d '\r' >> "$bench_dir/memory-after.txt"

echo
echo "$keys distinct keys (key:<12 digits>), $value_size-byte values, one copy each; bytes"
awk -v n="$keys" -v nh0="$node_heap0" -v nh1="$node_heap1" -v nr0="$node_rss0" -v nr1="$node_rss1" \
    -v nc1="$node_committed1" -v ne="$node_estimate" -v ru0="$redis_used0" -v ru1="$redis_used1" \
    -v rr0="$redis_rss0" -v rr1="$redis_rss1" 'BEGIN {
  printf "%-14s %-34s %14s %14s %10s %9s\n", "TARGET", "MEASURE", "BEFORE", "AFTER", "PER_KEY", "VS_REDIS"
  row("redis-server", "used_memory (INFO memory)", ru0, ru1, (ru1 - ru0) / n)
  row("redis-server", "RSS", rr0, rr1, (rr1 - rr0) / n)
  row("1-node", "managed heap after full GC", nh0, nh1, (nh1 - nh0) / n, (ru1 - ru0) / n)
  row("1-node", "RSS", nr0, nr1, (nr1 - nr0) / n, (rr1 - rr0) / n)
  row("1-node", "GC committed (after)", "-", nc1, "-")
  row("1-node", "estimate (/stats bytes)", 0, ne, ne / n, (ru1 - ru0) / n)
}
function row(target, measure, before, after, perKey, redisPerKey) {
  printf "%-14s %-34s %14s %14s %10s %9s\n", target, measure, before, after, \
    (perKey == "-" ? "-" : sprintf("%.0f", perKey)), (redisPerKey > 0 ? sprintf("%.2fx", perKey / redisPerKey) : "-")
}'
