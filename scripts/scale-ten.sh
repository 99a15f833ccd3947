#!/usr/bin/env bash
# Measures a real cluster of NODES nodes on this machine (issue 14 part 2) and prints a Markdown table,
# one column per membership mode: gossip (ring links), then PostgreSQL. Not a test: it prints the
# numbers docs/scale.md quotes. Everything it starts is stopped on exit, on failure and on Ctrl-C too.
#
#   scripts/scale-ten.sh [--no-publish]
#
# For each mode, with scripts/launch.sh, scripts/stop.sh and (adonet) scripts/postgres.sh:
#   1. Formation: NODES nodes started at once, linked in a ring; seconds until every node lists all of
#      them Active (what launch.sh waits for).
#   2. Load: DATA_MB of values: keys k<i>:<12 digits> of VALUE_BYTES each, node i writing its share
#      through its own RESP port, all nodes at once; then the cluster's keys and bytes (GET /stats;
#      bytes are the estimated memory of every copy, primary and replica).
#   3. Join: one more node, linked to node 0. Joined: every node lists it Active. Settled: node 0's
#      bucket map is built over every node, every node holds as many bucket and replica grains as that
#      map gives it (the orleans_cache_buckets gauge of its GET /metrics against GET /cluster), and no
#      node's keys or bytes have changed for SETTLE_SECONDS; the time is that of the last change.
#      Bytes moved are set against the ideal, the new node's share of every copy: cluster bytes /
#      (NODES + 1). Meanwhile a reader GETs 100 sample keys through node 0 in rounds; every miss or
#      error counts (there must be none).
#   4. kill -9 of node NODES/2 (not node 0, which the script talks to and which, lowest NODE_ID, hosts
#      the gossip table).
#      Sample keys whose primary is on it are read, and those plus keys it holds a replica of are
#      written, through node 0 in back-to-back rounds (by GET /cluster/buckets and CLUSTER KEYSLOT).
#      A window runs from the kill to the end of the first round in which every command succeeded,
#      after the last round in which one did not; reads' and writes' apart, with their longest round.
#      Then the time until the cluster settles again (as in 3: the replicas it held are re-made).
#   5. Idle CPU of every live node over IDLE_SECONDS, from /proc/<pid>/stat (user + system; 100% is
#      one core): the sum, the busiest node, the membership table's host (gossip: the node hosting it)
#      against the median of the others, and (adonet) every PostgreSQL process of the machine.
#
#   --no-publish      use the binaries already in BENCH_PUBLISH_DIR (published if absent)
#   NODES             nodes started (default 10; 3 to 49), one more joins
#   DATA_MB           MiB of values loaded (default 1024)
#   VALUE_BYTES       bytes per value (default 10240)
#   CLUSTERING        gossip or adonet; unset: both, gossip first
#   SETTLE_SECONDS    steady time that counts as settled (default 5)
#   IDLE_SECONDS      the idle CPU window (default 60)
#   ADONET_CONNECTION_STRING  for adonet (default: what scripts/postgres.sh prints; it installs and
#                     starts PostgreSQL, as root). Each run has its own CLUSTER_ID, so other clusters'
#                     rows in the database do not matter; its own rows stay there.
#   BENCH_FIRST_IP    first of the NODES + 1 addresses (default 127.0.1.10, outside the 127.0.0.x the
#                     tests use)
#   BENCH_DIR         logs and raw numbers (default artifacts/scale-ten/<UTC date-time>)
#   BENCH_PUBLISH_DIR where scripts/publish.sh puts the binaries (default artifacts/publish)
#
# Exit code: 0 when every step completed and no read missed; 1 otherwise; 2 on a bad setting.
set -euo pipefail

script=scale-ten.sh
BENCH_DIR=${BENCH_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/artifacts/scale-ten/$(date -u +%Y%m%d-%H%M%S)}
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
bench_arguments "$@"

NODES=${NODES:-10}
DATA_MB=${DATA_MB:-1024}
VALUE_BYTES=${VALUE_BYTES:-10240}
SETTLE_SECONDS=${SETTLE_SECONDS:-5}
IDLE_SECONDS=${IDLE_SECONDS:-60}
bench_positive NODES DATA_MB VALUE_BYTES SETTLE_SECONDS IDLE_SECONDS
((NODES >= 3 && NODES <= 49)) || { echo "$script: NODES must be 3 to 49 (launch.sh starts up to 50, one more joins)." >&2; exit 2; }
case ${CLUSTERING:-} in
  "") modes=(gossip adonet) ;;
  gossip|adonet) modes=("$CLUSTERING") ;;
  *) echo "$script: CLUSTERING must be gossip or adonet (unset: both); it is '$CLUSTERING'." >&2; exit 2 ;;
esac
bench_addresses $((NODES + 1)) 127.0.1.10
bench_require curl jq redis-cli dotnet
bench_publish

per_node=$((DATA_MB * 1048576 / VALUE_BYTES / NODES)) # keys each node writes
keys=$((per_node * NODES))
value=$(head -c "$VALUE_BYTES" /dev/zero | tr '\0' x)
contact=$(ip_of 0)
SAMPLE_KEYS=100       # read during the join
KILL_SAMPLE_KEYS=50   # of each kind around the kill
DEADLINE_MS=600000    # for a join to be seen, and for the cluster to settle

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
seconds_since() { awk -v a="$1" -v b="${2:-$(now_ms)}" 'BEGIN { printf "%.1f\n", (b - a) / 1000 }'; }
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
load_average() { cut -d' ' -f1-3 /proc/loadavg; }
http() { curl -fsS --max-time 10 "http://$contact:8080$1"; }

# --- clean-up: the background readers and writers, launch.sh's nodes, bench-lib's (the joining one) ---

launch_dir=""
helpers=()
stop_helpers() {
  local pid
  for pid in ${helpers[@]+"${helpers[@]}"}; do kill "$pid" 2>/dev/null || true; done
  helpers=()
}
# shellcheck disable=SC2317 # called by the EXIT trap and at the end of each mode
stop_mode() {
  local joining
  stop_helpers
  stop_all &
  joining=$!
  if [[ -n $launch_dir && -f $launch_dir/pids ]]; then
    LAUNCH_DIR=$launch_dir bash scripts/stop.sh >"$launch_dir/stop.log" 2>&1 || true
  fi
  wait "$joining" || true
  launch_dir=""
  started=()
}
trap stop_mode EXIT

# --- measuring ----------------------------------------------------------------------------------

# "id keys replicaKeys bytes" per node, sorted, from node 0's GET /stats (every node's own counts).
node_stats() { http /stats | jq -r '.nodes[] | "\(.nodeId) \(.keys) \(.replicaKeys) \(.bytes)"' | LC_ALL=C sort; }

# Whether node 0's map is built over exactly COUNT active nodes and each of them holds as many bucket
# and replica grains as that map gives it.
grains_where_map_wants() { # count
  local view id ip want held
  view=$(http /cluster) || return 1
  [[ $(jq '[.members[] | select(.status == "Active")] | length' <<<"$view") == "$1" ]] || return 1
  [[ $(http /cluster/buckets | jq '.nodes | length') == "$1" ]] || return 1
  while read -r id ip want; do
    held=$(curl -fsS --max-time 10 "http://$ip:8080/metrics" | awk '/^orleans_cache_buckets[{]/ { n += $NF } END { print n + 0 }') || return 1
    if [[ $held != "$want" ]]; then
      echo "$(date -u +%T) node $id holds $held bucket and replica grains; the map gives it $want" >>"$bench_dir/unsettled.log"
      return 1
    fi
  done < <(jq -r '.members[] | select(.status == "Active") | "\(.id) \(.ip) \(.primaryBuckets + .replicaBuckets)"' <<<"$view")
}

# Waits until a cluster of COUNT nodes has settled (see 3 above) and prints the seconds from SINCE (ms)
# to the last change of any node's keys or bytes; "never" (and fails) after DEADLINE_MS.
wait_settled() { # count since-ms
  local last="" current changed
  changed=$(now_ms)
  while :; do
    current=$(node_stats 2>/dev/null || true)
    if [[ $current != "$last" ]]; then last=$current; changed=$(now_ms); fi
    if (($(now_ms) - changed >= SETTLE_SECONDS * 1000)) && [[ -n $current ]] && grains_where_map_wants "$1"; then
      seconds_since "$2" "$changed"
      return 0
    fi
    if (($(now_ms) - $2 > DEADLINE_MS)); then echo never; return 1; fi
    sleep 1
  done
}

# Bucket and replica grains moved off the given nodes (orleans_cache_bucket_moves) and full copies sent
# to replicas (orleans_cache_replica_resyncs), summed over them: "moves resyncs".
move_counters() { # ip...
  local ip
  for ip in "$@"; do curl -fsS --max-time 10 "http://$ip:8080/metrics" || true; done \
    | awk '/^orleans_cache_bucket_moves/ { m += $NF } /^orleans_cache_replica_resyncs/ { r += $NF } END { print m + 0, r + 0 }'
}

# shellcheck disable=SC2317 # read_round and write_round are called by start_rounds
# One round of commands on a key file's keys through node 0, one at a time (redis-cli reading them
# from stdin): prints "start-ms end-ms succeeded total". A read succeeds when it returns the whole
# value (a miss prints an empty line, an error its text); a write when it answers OK. Every other
# reply goes to KEY-FILE.failed, after the round's start time: "(nil)" for a miss, an error's text.
read_round() { # key-file
  local start ok
  start=$(now_ms)
  # shellcheck disable=SC2016 # an awk condition
  ok=$(sed 's/^/GET /' "$1" | timeout 20 redis-cli -h "$contact" 2>/dev/null | count_replies "$1" "$start" 'length($0) == size') || ok=0
  echo "$start $(now_ms) $ok $(wc -l <"$1")"
}
# shellcheck disable=SC2317
write_round() { # key-file
  local start ok
  start=$(now_ms)
  # shellcheck disable=SC2016 # an awk condition
  ok=$(awk -v value="$value" '{ print "SET " $0 " " value }' "$1" | timeout 20 redis-cli -h "$contact" 2>/dev/null \
    | count_replies "$1" "$start" '$0 == "OK"') || ok=0
  echo "$start $(now_ms) $ok $(wc -l <"$1")"
}
# shellcheck disable=SC2317
count_replies() { # key-file start-ms awk-condition-for-success
  awk -v size="$VALUE_BYTES" -v failed="$1.failed" -v start="$2" "$3"' { n++; error = 0; next }
    error && $0 == "" { error = 0; next } # redis-cli prints an empty line after an error reply
    { print start, ($0 == "" ? "(nil)" : substr($0, 1, 200)) >> failed; error = $0 ~ /^[A-Z]+ / }
    END { print n + 0 }'
}
# Runs rounds of FUNCTION until killed, appending their lines to OUT; its pid is then in helpers.
start_rounds() { # function key-file out
  : >"$3"
  while :; do "$1" "$2" >>"$3"; sleep 0.05; done &
  helpers+=($!)
}

# Of a rounds file, the rounds that started at or after T (ms): "window-ms longest-ms rounds failed",
# the window ending with the first whole round after the last round that was not ("never" if none).
window_of() { # rounds-file t-ms
  awk -v t="$2" '$1 >= t {
      rounds++; if ($2 - $1 > longest) longest = $2 - $1
      if ($3 < $4) { failed++; recovered = 0 } else if (!recovered) recovered = $2
    }
    END { printf "%s %d %d %d\n", (recovered ? recovered - t : "never"), longest, rounds, failed }' "$1"
}

# "pid ticks" (user + system CPU, in clock ticks) of each pid still running.
cpu_ticks() { # pid...
  local pid
  for pid in "$@"; do
    if [[ -r /proc/$pid/stat ]]; then
      awk -v pid="$pid" '{ sub(/^.*\) /, ""); print pid, $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || true
    fi
  done
}

# The gossip membership table's host: the node whose log announces the highest term ("Founded a new
# cluster: this node hosts its membership table (term 1)", "Now hosting the membership table (term 2)").
table_host() { # launch-dir
  local file term best=-1 host=""
  for file in "$1"/node-*.log; do
    term=$(grep -oE 'membership table \(term [0-9]+' "$file" | tail -n 1 | grep -o '[0-9]*$' || true)
    if [[ -n $term ]] && ((term > best)); then best=$term; host=${file##*/node-}; host=${host%.log}; fi
  done
  echo "$host"
}

declare -A result=()
failed=0
r() { echo "${result[$1]:-?}"; }

# --- one membership mode ------------------------------------------------------------------------

measure() { # mode
  local mode=$1 dir=$bench_dir/$1 t0 i pid stats before after
  mkdir -p "$dir"
  launch_dir=$dir/launch
  local -a mode_env=(CLUSTER_ID="scale-ten-$mode-$(date -u +%H%M%S)" Logging__LogLevel__Default=Warning CLUSTERING="$mode")
  if [[ $mode == adonet ]]; then
    mode_env+=(ADONET_CONNECTION_STRING="${ADONET_CONNECTION_STRING:-$(bash scripts/postgres.sh)}")
  fi
  log "[$mode] load average $(load_average); logs in ${dir#"$root"/}"

  # 1. Formation.
  t0=$(now_ms)
  if ! env "${mode_env[@]}" LAUNCH_DIR="$launch_dir" LAUNCH_PUBLISH_DIR="$publish_dir" LAUNCH_FIRST_IP="$contact" \
      LAUNCH_TIMEOUT=600 bash scripts/launch.sh "$NODES" --no-publish >"$dir/launch.log" 2>&1; then
    tail -n 20 "$dir/launch.log" >&2
    bench_fail "[$mode] the cluster did not form; see $dir/launch.log"
  fi
  result[$mode:formation]=$(seconds_since "$t0")
  log "[$mode] $NODES nodes formed one cluster in ${result[$mode:formation]} s"
  local -a pids=()
  while read -r pid _; do pids+=("$pid"); done <"$launch_dir/pids"

  # 2. Load, through every node at once.
  t0=$(now_ms)
  for ((i = 0; i < NODES; i++)); do
    load_keys "$mode-node-$i" "$(ip_of "$i")" "k$i" "$per_node" "$VALUE_BYTES" 2>>"$dir/load.log" &
    helpers+=($!)
  done
  for pid in "${helpers[@]}"; do wait "$pid" || bench_fail "[$mode] loading failed; see $dir/load.log"; done
  helpers=()
  result[$mode:load]=$(seconds_since "$t0")
  stats=$(http /stats)
  echo "$stats" >"$dir/stats-loaded.json"
  result[$mode:keys]=$(jq '.cluster.keys' <<<"$stats")
  result[$mode:bytes]=$(jq '.cluster.bytes' <<<"$stats")
  result[$mode:evictions]=$(jq '.cluster.evictions' <<<"$stats")
  log "[$mode] loaded in ${result[$mode:load]} s: cluster keys ${result[$mode:keys]}, bytes ${result[$mode:bytes]}, evictions ${result[$mode:evictions]}"

  # 3. Join of node NODES, linked to node 0, with a reader of sample keys all along.
  local joiner_ip counters_before counters_after
  joiner_ip=$(ip_of "$NODES")
  for ((i = 0; i < SAMPLE_KEYS; i++)); do
    printf 'k%d:%012d\n' $((RANDOM % NODES)) $(((RANDOM * 32768 + RANDOM) % per_node))
  done >"$dir/join.keys"
  start_rounds read_round "$dir/join.keys" "$dir/join-reads"
  before=$(node_stats)
  echo "$before" >"$dir/stats-before-join"
  local all_ips=()
  for ((i = 0; i <= NODES; i++)); do all_ips+=("$(ip_of "$i")"); done
  counters_before=$(move_counters "${all_ips[@]::NODES}")
  log "[$mode] node $NODES joins at $joiner_ip, linked to node 0"
  t0=$(now_ms)
  start_node "$mode/node-$NODES" "$NODES" "$joiner_ip" "${mode_env[@]}" LINKED_NODE_ID=0 LINKED_NODE_IP="$contact"
  until cluster_up "${all_ips[@]}"; do
    (($(now_ms) - t0 < DEADLINE_MS)) || bench_fail "[$mode] node $NODES was not seen Active by every node; see $dir/node-$NODES.log"
    sleep 0.2
  done
  result[$mode:joined]=$(seconds_since "$t0")
  result[$mode:settled]=$(wait_settled $((NODES + 1)) "$t0") || failed=1
  stop_helpers
  after=$(node_stats)
  echo "$after" >"$dir/stats-after-join"
  counters_after=$(move_counters "${all_ips[@]}")
  read -r "result[$mode:join_rounds]" "result[$mode:join_misses]" < <(awk '{ n++; miss += $4 - $3 } END { print n + 0, miss + 0 }' "$dir/join-reads")
  [[ ${result[$mode:join_misses]} == 0 ]] || failed=1
  # received: the new node's bytes; left: the sum of the old nodes' decreases; ideal: its share.
  read -r "result[$mode:received]" "result[$mode:left]" "result[$mode:ideal]" < <(
    LC_ALL=C join -a 2 <(echo "$before") <(echo "$after") | awk -v joiner="$NODES" -v total="${result[$mode:bytes]}" -v n=$((NODES + 1)) '
      NF == 4 && $1 == joiner { received = $4; next }
      NF == 7 && $4 > $7 { left += $4 - $7 }
      END { printf "%d %d %d\n", received, left, total / n }')
  local map buckets copies
  map=$(http /cluster/buckets)
  buckets=$(jq '.buckets' <<<"$map")
  copies=$(jq '.copies' <<<"$map")
  # Grains moved, and full copies, each about one copy of a bucket: cluster bytes / (buckets × copies).
  read -r "result[$mode:moves]" "result[$mode:resyncs]" < <(echo "$counters_before $counters_after" | awk '{ print $3 - $1, $4 - $2 }')
  result[$mode:moved]=$(awk -v m="${result[$mode:moves]}" -v t="${result[$mode:bytes]}" -v b="$buckets" -v c="$copies" 'BEGIN { printf "%d", m * t / (b * c) }')
  log "[$mode] joined in ${result[$mode:joined]} s, settled ${result[$mode:settled]} s after its start; reads meanwhile: ${result[$mode:join_rounds]} rounds of $SAMPLE_KEYS, ${result[$mode:join_misses]} failed"

  # 4. kill -9 of node NODES/2, its keys read and written in rounds.
  local victim=$((NODES / 2)) victim_pid
  victim_pid=$(awk -v id="$victim" '$2 == id { print $1 }' "$launch_dir/pids")
  jq -r '.nodes as $n | range(0; .buckets) as $b | "\($b) \($n[.primary[$b]]) ,\([.replicas[$b][] | $n[.]] | join(",")),"' \
    <<<"$map" >"$dir/map-before-kill"
  for ((i = 0; i < 3000; i++)); do printf 'k%d:%012d\n' $((i % NODES)) $((i / NODES)); done >"$dir/candidates"
  sed 's/^/CLUSTER KEYSLOT /' "$dir/candidates" | redis-cli -h "$contact" | paste -d' ' "$dir/candidates" - \
    | awk -v per=$((16384 / buckets)) -v victim="$victim" -v n="$KILL_SAMPLE_KEYS" -v dir="$dir" '
        NR == FNR { primary[$1] = $2; replicas[$1] = $3; next }
        { b = int($2 / per) }
        primary[b] == victim && p < n { print $1 > (dir "/kill-primary.keys"); p++; next }
        index(replicas[b], "," victim ",") && r < n { print $1 > (dir "/kill-replica.keys"); r++ }' \
      "$dir/map-before-kill" -
  cat "$dir/kill-primary.keys" "$dir/kill-replica.keys" >"$dir/kill-all.keys"
  start_rounds read_round "$dir/kill-primary.keys" "$dir/kill-reads"
  start_rounds write_round "$dir/kill-all.keys" "$dir/kill-writes"
  sleep 3
  log "[$mode] kill -9 of node $victim (pid $victim_pid); $(wc -l <"$dir/kill-primary.keys") keys it is primary for read, those and $(wc -l <"$dir/kill-replica.keys") it holds a replica of written"
  t0=$(now_ms)
  kill -9 "$victim_pid"
  until [[ $(http /cluster 2>/dev/null | jq --arg v "$victim" '[.members[] | select(.id == $v and .status != "Dead")] | length') == 0 ]]; do
    (($(now_ms) - t0 < 60000)) || break
    sleep 0.1
  done
  result[$mode:dead]=$(seconds_since "$t0")
  result[$mode:resettled]=$(wait_settled "$NODES" "$t0") || failed=1
  stop_helpers
  read -r "result[$mode:read_window]" "result[$mode:read_longest]" "result[$mode:read_rounds]" "result[$mode:read_failed]" < <(window_of "$dir/kill-reads" "$t0")
  read -r "result[$mode:write_window]" "result[$mode:write_longest]" "result[$mode:write_rounds]" "result[$mode:write_failed]" < <(window_of "$dir/kill-writes" "$t0")
  [[ ${result[$mode:read_window]} != never && ${result[$mode:write_window]} != never ]] || failed=1
  log "[$mode] node $victim Dead on node 0 after ${result[$mode:dead]} s; reads' window ${result[$mode:read_window]} ms, writes' ${result[$mode:write_window]} ms; settled again after ${result[$mode:resettled]} s"

  # 5. Idle CPU of the live nodes (and PostgreSQL).
  local host="" ticks0 ticks1 hz
  local -a live=() pg=()
  hz=$(getconf CLK_TCK)
  for pid in "${pids[@]}" "${started[@]}"; do [[ $pid == "$victim_pid" ]] || live+=("$pid"); done
  if [[ $mode == gossip ]]; then host=$(table_host "$launch_dir"); else mapfile -t pg < <(pgrep -u postgres || true); fi
  log "[$mode] idle CPU over $IDLE_SECONDS s, load average $(load_average)"
  ticks0=$(cpu_ticks "${live[@]}" ${pg[@]+"${pg[@]}"})
  sleep "$IDLE_SECONDS"
  ticks1=$(cpu_ticks "${live[@]}" ${pg[@]+"${pg[@]}"})
  result[$mode:load_average]=$(load_average)
  # "node-id cpu%" per node, "postgres cpu%" per PostgreSQL process.
  LC_ALL=C join <(LC_ALL=C sort <<<"$ticks0") <(LC_ALL=C sort <<<"$ticks1") | while read -r pid a b; do
    awk -v pid="$pid" -v joiner="${started[0]}" -v joiner_id="$NODES" -v d=$((b - a)) -v s="$IDLE_SECONDS" -v hz="$hz" '
      $1 == pid { id = $2 } END { if (pid == joiner) id = joiner_id; printf "%s %.1f\n", (id == "" ? "postgres" : id), 100 * d / hz / s }' "$launch_dir/pids"
  done | sort -n >"$dir/idle-cpu"
  result[$mode:cpu_total]=$(awk '$1 != "postgres" { s += $2 } END { printf "%.1f", s }' "$dir/idle-cpu")
  result[$mode:cpu_max]=$(awk '$1 != "postgres"' "$dir/idle-cpu" | sort -k2,2nr | awk 'NR == 1 { print $2 " (node " $1 ")" }')
  result[$mode:cpu_host]=$(awk -v h="$host" '$1 == h { print $2 " (node " $1 ")" }' "$dir/idle-cpu")
  result[$mode:cpu_median]=$(awk -v h="$host" '$1 != "postgres" && $1 != h { print $2 }' "$dir/idle-cpu" | sort -n \
    | awk '{ v[NR] = $1 } END { printf "%.1f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
  result[$mode:cpu_pg]=$(awk '$1 == "postgres" { s += $2; n++ } END { printf (n ? "%.1f" : "-"), s }' "$dir/idle-cpu")
  log "[$mode] idle CPU: all nodes ${result[$mode:cpu_total]}% of one core, busiest ${result[$mode:cpu_max]}"

  stop_mode
}

# --- run, then the table --------------------------------------------------------------------------

echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GiB; load average at start: $(load_average); commit $(git rev-parse --short HEAD)"
echo "NODES=$NODES DATA_MB=$DATA_MB VALUE_BYTES=$VALUE_BYTES: $keys keys; logs in ${bench_dir#"$root"/}"
for mode in "${modes[@]}"; do measure "$mode"; done

mib() { awk -v b="$1" 'BEGIN { printf "%.0f MiB", b / 1048576 }'; }
against_ideal() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f MiB / %.0f MiB = %.2f", a / 1048576, b / 1048576, (b > 0 ? a / b : 0) }'; }
# One cell of the table: what the table calls WHAT for MODE.
cell() { # mode what
  local m=$1
  case $2 in
    formation|load|dead|resettled|cpu_total|cpu_pg|load_average) r "$m:$2" ;;
    size) echo "$(r "$m:keys") / $(mib "$(r "$m:bytes")") ($(r "$m:evictions"))" ;;
    join) echo "$(r "$m:joined") / $(r "$m:settled")" ;;
    received|left) against_ideal "$(r "$m:$2")" "$(r "$m:ideal")" ;;
    moved) echo "$(r "$m:moves"): $(against_ideal "$(r "$m:moved")" "$(r "$m:ideal")"); $(r "$m:resyncs")" ;;
    join_reads) echo "$(r "$m:join_rounds") / $(r "$m:join_misses")" ;;
    reads|writes) echo "$(r "$m:${2%s}_window") / $(r "$m:${2%s}_longest")" ;;
    cpu_nodes) echo "$(r "$m:cpu_max") / ${result[$m:cpu_host]:--} / $(r "$m:cpu_median")" ;;
  esac
}
row() { # label what
  local line="| $1 |" mode
  for mode in "${modes[@]}"; do line+=" $(cell "$mode" "$2") |"; done
  echo "$line"
}
header="| $NODES nodes, $(nproc) cores |"
rule="|---|"
for mode in "${modes[@]}"; do header+=" $mode |"; rule+="---:|"; done
printf '\n%s\n%s\n' "$header" "$rule"
row "formation: start to one cluster (s)" formation
row "load: $keys keys × $VALUE_BYTES B through all nodes (s)" load
row "cluster keys / bytes of every copy (evictions)" size
row "join: Active everywhere / settled, from its start (s)" join
row "join: bytes the new node holds / ideal" received
row "join: bytes the old nodes shed / ideal" left
row "join: grains moved (× mean copy) / ideal; full copies" moved
row "join: reads of $SAMPLE_KEYS keys meanwhile: rounds / failed reads" join_reads
row "kill -9: Dead on node 0 (s)" dead
row "kill -9: reads' window / longest round (ms)" reads
row "kill -9: writes' window / longest round (ms)" writes
row "kill -9: settled again (s)" resettled
row "idle $IDLE_SECONDS s, $((NODES)) live nodes: CPU of all (% of a core)" cpu_total
row "idle: busiest node / table host / median other (%)" cpu_nodes
row "idle: PostgreSQL processes (%)" cpu_pg
row "load average after the idle window" load_average
exit "$failed"
