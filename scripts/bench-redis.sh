#!/usr/bin/env bash
# Compares the cache's Redis protocol port with Debian's redis-server under redis-benchmark, on this
# machine and in the same run (a benchmark, not a test: it asserts nothing, it prints a table).
#
#   scripts/bench-redis.sh [--no-publish]
#
# Starts a 1-node cluster, a 3-node REPLICATION_FACTOR=2 cluster and a redis-server (no persistence),
# each on its own loopback address, then runs
#   redis-benchmark -t set,get -n N -r 100000 -d 100 -c 50 -P P --csv
# with P = 1 and 16 against each, in rounds that alternate the targets, and prints per target, test
# and pipeline depth the median over the rounds of ops/s, p50 and p99 latency, and the ops/s ratio to
# redis-server. The 3-node cluster is driven through node 0, which forwards about 2/3 of the keys
# ("3-node-rf2"), and with redis-benchmark --cluster, which reads CLUSTER NODES and sends each key to its
# primary ("3-node-slots": the same nodes, one client thread per node; its keys carry a {tag} of a slot).
# Everything started is stopped on exit, Ctrl-C included.
#
#   --no-publish        use the binaries already in BENCH_PUBLISH_DIR (published if absent)
#   BENCH_FIRST_IP      first of the 11 addresses used (default 127.0.0.200: redis-server, then the nodes)
#   BENCH_GARNET        a garnet-server executable (Microsoft's .NET cache server; an absolute path or
#                       a name on PATH): also runs it as a "garnet" target; "install" installs the
#                       garnet-server .NET tool from NuGet into artifacts/tools/garnet first
#                       (unset: no Garnet target)
#   BENCH_ROUNDS        rounds (default 2)
#   BENCH_REQUESTS      requests per redis-benchmark run (default 200000)
#   BENCH_TESTS         redis-benchmark's -t (default set,get; e.g. mset: MSET of 10 random keys)
#   BENCH_DIR           logs (default artifacts/bench)
#   BENCH_PUBLISH_DIR   where scripts/publish.sh puts the binaries (default artifacts/publish)
#   BENCH_BASELINE_DIR  binaries of another build (for example an earlier commit's scripts/publish.sh
#                       output): also runs it as a 1-node "baseline" target and a 3-node RF=2
#                       "baseline-3" target, for a before/after table in one run
#   BENCH_VARIANT       variables (VAR=value ...) for one more 1-node target, "variant", started with them,
#                       to compare a setting with the plain 1-node target in one run, e.g.
#                       BENCH_VARIANT=CLUSTER_SECRET=a-secret-of-16-chars-or-more
set -euo pipefail

script=bench-redis.sh
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
bench_arguments "$@"

rounds="${BENCH_ROUNDS:-2}"
requests="${BENCH_REQUESTS:-200000}"
tests="${BENCH_TESTS:-set,get}"
[[ "$tests" =~ ^[a-z]+(,[a-z]+)*$ ]] || bench_fail "BENCH_TESTS must be redis-benchmark test names separated by commas (e.g. set,get,mset); it is '$tests'."
bench_positive rounds requests
baseline_dir="${BENCH_BASELINE_DIR:-}"
if [[ -n "$baseline_dir" && ! -f "$baseline_dir/silo/Silo.dll" ]]; then
  bench_fail "BENCH_BASELINE_DIR must hold silo/Silo.dll; $baseline_dir does not."
fi
bench_addresses 11 127.0.0.200
bench_require redis-server redis-benchmark redis-cli curl dotnet
redis_ip="$(ip_of 0)"
single_ip="$(ip_of 1)"
cluster_ips=("$(ip_of 2)" "$(ip_of 3)" "$(ip_of 4)")

bench_publish
start_redis redis-server "$redis_ip"
start_node single 0 "$single_ip" CLUSTER_ID=bench-single
start_cluster cluster bench-cluster "${cluster_ips[*]}" REPLICATION_FACTOR=2
# Each target: a name, an address, then any redis-benchmark options of its own.
targets=("redis-server $redis_ip" "1-node $single_ip" "3-node-rf2 ${cluster_ips[0]}" "3-node-slots ${cluster_ips[0]} --cluster")
baseline_ip="$(ip_of 5)"
baseline_cluster_ips=("$(ip_of 7)" "$(ip_of 8)" "$(ip_of 9)")
if [[ -n "$baseline_dir" ]]; then
  silo_dll="$baseline_dir/silo/Silo.dll" start_node baseline 0 "$baseline_ip" CLUSTER_ID=bench-baseline
  silo_dll="$baseline_dir/silo/Silo.dll" start_cluster baseline-3 bench-baseline-cluster "${baseline_cluster_ips[*]}" REPLICATION_FACTOR=2
  targets+=("baseline $baseline_ip" "baseline-3 ${baseline_cluster_ips[0]}")
fi

variant_ip="$(ip_of 6)"
if [[ -n "${BENCH_VARIANT:-}" ]]; then
  read -r -a variant_variables <<< "$BENCH_VARIANT"
  start_node variant 0 "$variant_ip" CLUSTER_ID=bench-variant "${variant_variables[@]}"
  targets+=("variant $variant_ip")
fi

garnet_ip="$(ip_of 10)"
garnet="${BENCH_GARNET:-}"
if [[ "$garnet" == install ]]; then
  garnet="$PWD/artifacts/tools/garnet/garnet-server"
  [[ -x "$garnet" ]] || dotnet tool install --tool-path artifacts/tools/garnet garnet-server > "$bench_dir/garnet-install.log" 2>&1 \
    || bench_fail "could not install the garnet-server tool; see $bench_dir/garnet-install.log."
fi
if [[ -n "$garnet" ]]; then
  # Its defaults reserve a 16 GiB log; 2 GiB holds this benchmark's 100,000 keys many times over. No AOF, as redis-server runs.
  "$garnet" --bind "$garnet_ip" --port 6379 --memory 2g > "$bench_dir/garnet.log" 2>&1 &
  started+=("$!")
  targets+=("garnet $garnet_ip")
fi

ready() {
  { [[ -z "$garnet" ]] || redis_up "$garnet_ip"; } \
    && redis_up "$redis_ip" && cluster_up "$single_ip" && cluster_up "${cluster_ips[@]}" \
    && { [[ -z "$baseline_dir" ]] || { cluster_up "$baseline_ip" && cluster_up "${baseline_cluster_ips[@]}"; }; } \
    && { [[ -z "${BENCH_VARIANT:-}" ]] || cluster_up "$variant_ip"; }
}
bench_wait_until "redis-server and the clusters" ready

# Warm-up, not measured: JIT and the first activation of every bucket grain.
for target in "${targets[@]}"; do
  read -r _ host options <<< "$target"
  # shellcheck disable=SC2086 # options are separate words
  redis-benchmark $options -h "$host" -p 6379 -t set,get -n 20000 -r 100000 -d 100 -c 50 -P 16 -q > /dev/null 2>> "$bench_dir/redis-benchmark.log"
done

results="$bench_dir/results.csv"
: > "$results"
: > "$bench_dir/redis-benchmark.log"
for ((round = 1; round <= rounds; round++)); do
  for pipeline in 1 16; do
    for target in "${targets[@]}"; do
      read -r name host options <<< "$target"
      echo "round $round/$rounds: $name, -P $pipeline ..." >&2
      # --csv prints (after what --cluster says of the nodes) "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
      # shellcheck disable=SC2086 # options are separate words
      redis-benchmark $options -h "$host" -p 6379 -t "$tests" -n "$requests" -r 100000 -d 100 -c 50 -P "$pipeline" --csv 2>> "$bench_dir/redis-benchmark.log" \
        | grep '^"' | tr -d '"' | awk -F, -v target="$name" -v pipeline="$pipeline" 'NR > 1 { sub(/ .*/, "", $1); print target "," $1 "," pipeline "," $2 "," $5 "," $7 }' \
        >> "$results"
    done
  done
done

echo
echo "redis-benchmark -t $tests -n $requests -r 100000 -d 100 -c 50 -P 1|16, median of $rounds round(s)"
sort -t, -k1,1 -k2,2 -k3,3n "$results" | awk -F, '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  {
    key = $1 "," $2 "," $3
    if (!(key in rps)) order[++count] = key
    rps[key] = rps[key] " " $4; p50[key] = p50[key] " " $5; p99[key] = p99[key] " " $6
  }
  END {
    printf "%-12s %-4s %-8s %10s %8s %8s %9s\n", "TARGET", "TEST", "PIPELINE", "OPS/S", "P50_MS", "P99_MS", "VS_REDIS"
    for (i = 1; i <= count; i++) {
      split(order[i], k, ",")
      base = median(rps["redis-server," k[2] "," k[3]])
      printf "%-12s %-4s %-8s %10.0f %8.3f %8.3f %8.2fx\n", k[1], k[2], k[3], median(rps[order[i]]), median(p50[order[i]]), median(p99[order[i]]), (base > 0 ? median(rps[order[i]]) / base : 0)
    }
  }'
