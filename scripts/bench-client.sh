#!/usr/bin/env bash
# Compares the cache through its Orleans client with redis-server through StackExchange.Redis, on this
# machine and in the same run (a benchmark, not a test: it asserts nothing, it prints a table).
#
#   scripts/bench-client.sh [--no-publish]
#
# Starts a redis-server (no persistence), a 1-node cluster and a 3-node REPLICATION_FACTOR=2 cluster,
# each on its own loopback address, then runs the console client's
#   Client bench --concurrency C --duration D --get-ratio R --value-size V --keys K
# against each: the clusters with --node (Orleans client, grain calls), redis-server and the 3-node
# cluster's RESP port with --redis (StackExchange.Redis, one multiplexed connection). Same loops, same
# histograms, same load; rounds alternate the targets. It prints per target the median over the rounds
# of ops/s, GET and SET p50/p99 (ms) and errors, and ops/s divided by redis-server's. The 3-node
# cluster's client talks to every gateway; the RESP target goes through node 0 only.
#
#   --no-publish        use the binaries already in BENCH_PUBLISH_DIR (published if absent)
#   BENCH_FIRST_IP      first of the 5 addresses used (default 127.0.0.220: redis-server, then the nodes)
#   BENCH_ROUNDS        rounds (default 3)
#   BENCH_CONCURRENCY   concurrent loops of every run (default 32)
#   BENCH_DURATION      seconds of every timed run (default 15)
#   BENCH_GET_RATIO     share of GETs (default 0.8)
#   BENCH_VALUE_SIZE    bytes per value (default 100)
#   BENCH_KEYS          distinct keys, written before each timed run (default 10000)
#   BENCH_DIR           logs and raw results (default artifacts/bench)
#   BENCH_PUBLISH_DIR   where scripts/publish.sh puts the binaries (default artifacts/publish)
set -euo pipefail

script=bench-client.sh
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
bench_arguments "$@"

rounds="${BENCH_ROUNDS:-3}"
concurrency="${BENCH_CONCURRENCY:-32}"
duration="${BENCH_DURATION:-15}"
get_ratio="${BENCH_GET_RATIO:-0.8}"
value_size="${BENCH_VALUE_SIZE:-100}"
keys="${BENCH_KEYS:-10000}"
bench_positive rounds concurrency duration value_size keys
bench_addresses 5 127.0.0.220
bench_require redis-server redis-cli curl dotnet
redis_ip="$(ip_of 0)"
single_ip="$(ip_of 1)"
cluster_ips=("$(ip_of 2)" "$(ip_of 3)" "$(ip_of 4)")

bench_publish
start_redis redis-server "$redis_ip"
start_node single 0 "$single_ip" CLUSTER_ID=bench-client-single REPLICATION_FACTOR=1
start_cluster cluster bench-client-cluster "${cluster_ips[*]}" REPLICATION_FACTOR=2
ready() { redis_up "$redis_ip" && cluster_up "$single_ip" && cluster_up "${cluster_ips[@]}"; }
bench_wait_until "redis-server, the 1-node and the 3-node cluster" ready

# name|CLUSTER_ID|what the client is pointed at
targets=(
  "redis-server|-|--redis $redis_ip"
  "1-node|bench-client-single|--node $single_ip"
  "3-node-rf2|bench-client-cluster|--node ${cluster_ips[0]}"
  "3-node-rf2-resp|-|--redis ${cluster_ips[0]}"
)

run_bench() { # target seconds -> the client's table on stdout, its progress in the log
  local name cluster target
  IFS='|' read -r name cluster target <<< "$1"
  # shellcheck disable=SC2086 # target is an option and its value
  CLUSTER_ID="$cluster" dotnet "$publish_dir/client/Client.dll" bench $target --duration "$2" \
    --concurrency "$concurrency" --get-ratio "$get_ratio" --value-size "$value_size" --keys "$keys" \
    2>> "$bench_dir/client-$name.log"
}

for target in "${targets[@]}"; do
  : > "$bench_dir/client-${target%%|*}.log"
done

# Warm-up, not measured: JIT on both sides and the first activation of every bucket grain.
for target in "${targets[@]}"; do
  echo "warm-up: ${target%%|*} ..." >&2
  run_bench "$target" 3 > /dev/null
done

results="$bench_dir/client-results.csv"
: > "$results"
: > "$bench_dir/client-tables.txt"
for ((round = 1; round <= rounds; round++)); do
  for target in "${targets[@]}"; do
    name="${target%%|*}"
    echo "round $round/$rounds: $name ..." >&2
    run_bench "$target" "$duration" | tee -a "$bench_dir/client-tables.txt" \
      | awk -v target="$name" '
          # The table: OP COUNT OPS/S ERRORS P50 P90 P99 P99.9 MAX (not the "GET misses: N" line).
          NF == 9 && $1 == "GET" { get50 = $5; get99 = $7; errors += $4 }
          NF == 9 && $1 == "SET" { set50 = $5; set99 = $7; errors += $4 }
          NF == 9 && $1 == "ALL" { ops = $3 }
          END { print target "," ops "," get50 "," get99 "," set50 "," set99 "," errors }' >> "$results"
  done
done

echo
echo "Client bench --concurrency $concurrency --duration $duration --get-ratio $get_ratio --value-size $value_size --keys $keys, median of $rounds round(s); latency in ms"
awk -F, '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  # A target with no rows or a "-" (no call of that kind succeeded) shows as 0.
  {
    if (!($1 in ops)) order[++count] = $1
    for (c = 2; c <= 7; c++) column[$1, c] = column[$1, c] " " ($c == "-" || $c == "" ? 0 : $c)
    ops[$1] = 1
  }
  END {
    base = median(column["redis-server", 2])
    printf "%-16s %9s %8s %8s %8s %8s %7s %9s\n", "TARGET", "OPS/S", "GET_P50", "GET_P99", "SET_P50", "SET_P99", "ERRORS", "VS_REDIS"
    for (i = 1; i <= count; i++) {
      t = order[i]
      printf "%-16s %9.0f %8.2f %8.2f %8.2f %8.2f %7d %8.2fx\n", t, median(column[t, 2]), median(column[t, 3]), median(column[t, 4]),
        median(column[t, 5]), median(column[t, 6]), median(column[t, 7]), (base > 0 ? median(column[t, 2]) / base : 0)
    }
  }' "$results"
