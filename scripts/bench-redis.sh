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
# redis-server. The 3-node cluster is driven through node 0, which forwards about 2/3 of the keys.
# Everything started is stopped on exit, Ctrl-C included.
#
#   --no-publish        use the binaries already in BENCH_PUBLISH_DIR (published if absent)
#   BENCH_FIRST_IP      first of the 5 addresses used (default 127.0.0.200: redis-server, then the nodes)
#   BENCH_ROUNDS        rounds (default 2)
#   BENCH_REQUESTS      requests per redis-benchmark run (default 200000)
#   BENCH_DIR           logs (default artifacts/bench)
#   BENCH_PUBLISH_DIR   where scripts/publish.sh puts the binaries (default artifacts/publish)
set -euo pipefail

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

bench_dir="${BENCH_DIR:-}"
publish_dir="${BENCH_PUBLISH_DIR:-}"
[[ -z "$bench_dir" || "$bench_dir" == /* ]] || bench_dir="$PWD/$bench_dir"
[[ -z "$publish_dir" || "$publish_dir" == /* ]] || publish_dir="$PWD/$publish_dir"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bench_dir="${bench_dir:-$root/artifacts/bench}"
publish_dir="${publish_dir:-$root/artifacts/publish}"

publish=1
for arg in "$@"; do
  case "$arg" in
    --no-publish) publish=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench-redis.sh: unknown argument '$arg'." >&2; usage >&2; exit 2 ;;
  esac
done

rounds="${BENCH_ROUNDS:-2}"
requests="${BENCH_REQUESTS:-200000}"
first_ip="${BENCH_FIRST_IP:-127.0.0.200}"
for value in "$rounds" "$requests"; do
  [[ "$value" =~ ^[1-9][0-9]*$ ]] || { echo "bench-redis.sh: BENCH_ROUNDS and BENCH_REQUESTS must be positive whole numbers." >&2; exit 2; }
done
if ! [[ "$first_ip" =~ ^([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})\.([0-9]{1,3})$ ]] || (( 10#${BASH_REMATCH[2]} + 4 > 254 )); then
  echo "bench-redis.sh: BENCH_FIRST_IP must be an IPv4 address with room for 5 (e.g. 127.0.0.200); got '$first_ip'." >&2
  exit 2
fi
ip_prefix="${BASH_REMATCH[1]}"
first_host=$((10#${BASH_REMATCH[2]}))
ip_of() { printf '%s.%d\n' "$ip_prefix" $((first_host + $1)); }
redis_ip="$(ip_of 0)"
single_ip="$(ip_of 1)"
cluster_ips=("$(ip_of 2)" "$(ip_of 3)" "$(ip_of 4)")

for tool in redis-server redis-benchmark redis-cli curl; do
  command -v "$tool" >/dev/null || { echo "bench-redis.sh: $tool not found (apt-get install redis-server redis-tools curl)." >&2; exit 1; }
done
for ip in "$redis_ip" "$single_ip" "${cluster_ips[@]}"; do
  for port in 6379 8080 11111 30000; do
    # shellcheck disable=SC2016 # $0 and $1 are the inner bash's arguments
    if timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$ip" "$port" 2>/dev/null; then
      echo "bench-redis.sh: $ip:$port is in use; choose other addresses with BENCH_FIRST_IP." >&2
      exit 1
    fi
  done
done

if (( publish == 0 )) && [[ -f "$publish_dir/silo/Silo.dll" ]]; then
  echo "Using the published node in $publish_dir/silo (--no-publish)."
else
  echo "Publishing to $publish_dir (scripts/publish.sh) ..."
  bash scripts/publish.sh "$publish_dir" > /dev/null
fi

mkdir -p "$bench_dir"
started=()
stop_all() {
  (( ${#started[@]} )) || return 0
  kill -TERM "${started[@]}" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "${started[@]}" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -KILL "${started[@]}" 2>/dev/null || true
}
trap stop_all EXIT
trap 'echo "bench-redis.sh: interrupted." >&2; exit 130' INT
trap 'echo "bench-redis.sh: terminated." >&2; exit 143' TERM

redis-server --bind "$redis_ip" --port 6379 --save "" --appendonly no --protected-mode no \
  > "$bench_dir/redis-server.log" 2>&1 &
started+=("$!")

start_node() { # name id ip [VAR=value ...]
  local name="$1" id="$2" ip="$3"
  shift 3
  env -u LINKED_NODE_ID -u LINKED_NODE_IP -u RESP_PORT -u HTTP_PORT -u SILO_PORT -u GATEWAY_PORT \
    NODE_ID="$id" NODE_IP="$ip" Logging__LogLevel__Default=Warning "$@" \
    dotnet "$publish_dir/silo/Silo.dll" < /dev/null > "$bench_dir/$name.log" 2>&1 &
  started+=("$!")
}

start_node single 0 "$single_ip" CLUSTER_ID=bench-single
for i in 0 1 2; do
  next=$(((i + 1) % 3))
  start_node "cluster-$i" "$i" "${cluster_ips[$i]}" CLUSTER_ID=bench-cluster REPLICATION_FACTOR=2 \
    LINKED_NODE_ID="$next" LINKED_NODE_IP="${cluster_ips[$next]}"
done

active_count() { # ip -> how many members that node lists as Active
  curl -fsS --max-time 2 "http://$1:8080/cluster" 2>/dev/null | grep -o '"status":"Active"' | wc -l
}
echo "Waiting for redis-server, the 1-node and the 3-node cluster ..."
deadline=$((SECONDS + 180))
until redis-cli -h "$redis_ip" ping 2>/dev/null | grep -q PONG \
  && (( $(active_count "$single_ip") == 1 )) \
  && (( $(active_count "${cluster_ips[0]}") == 3 )) && (( $(active_count "${cluster_ips[1]}") == 3 )) \
  && (( $(active_count "${cluster_ips[2]}") == 3 )); do
  if (( SECONDS >= deadline )); then
    echo "bench-redis.sh: the targets were not ready within 180 s; logs in $bench_dir." >&2
    exit 1
  fi
  sleep 1
done

targets=("redis-server $redis_ip" "1-node $single_ip" "3-node-rf2 ${cluster_ips[0]}")

# Warm-up, not measured: JIT and the first activation of every bucket grain.
for target in "${targets[@]}"; do
  redis-benchmark -h "${target#* }" -p 6379 -t set,get -n 20000 -r 100000 -d 100 -c 50 -P 16 -q > /dev/null 2>> "$bench_dir/redis-benchmark.log"
done

results="$bench_dir/results.csv"
: > "$results"
: > "$bench_dir/redis-benchmark.log"
for ((round = 1; round <= rounds; round++)); do
  for pipeline in 1 16; do
    for target in "${targets[@]}"; do
      name="${target%% *}"
      echo "round $round/$rounds: $name, -P $pipeline ..." >&2
      # --csv prints "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
      redis-benchmark -h "${target#* }" -p 6379 -t set,get -n "$requests" -r 100000 -d 100 -c 50 -P "$pipeline" --csv 2>> "$bench_dir/redis-benchmark.log" \
        | tr -d '"' | awk -F, -v target="$name" -v pipeline="$pipeline" '$1 == "SET" || $1 == "GET" { print target "," $1 "," pipeline "," $2 "," $5 "," $7 }' \
        >> "$results"
    done
  done
done

echo
echo "redis-benchmark -t set,get -n $requests -r 100000 -d 100 -c 50 -P 1|16, median of $rounds round(s)"
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
