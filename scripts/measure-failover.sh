#!/usr/bin/env bash
# Measures failure detection on a real 3-node cluster of published nodes on loopback, and prints tables.
# Not a test: it prints the numbers docs/reliability.md quotes. Everything it starts is killed on exit.
#
#   1. Kills: KILLS times (default 12), kill -9 one node, rotating through NODE_ID 0, 1, 2 (so the
#      membership table's host is among the victims), and time from the kill until every surviving
#      node's GET /cluster shows that node's entry as "Dead" (polled every 100 ms, deadline 60 s).
#      Then restart it with the same NODE_ID and IP, linked to a survivor, and wait until every node
#      sees all three Active again.
#   2. Load: `Client bench --duration LOAD_SECONDS` (default 60) against the cluster while every node's
#      /cluster is polled every 500 ms; a member ever seen not Active is a false death.
#
# Exit code: 0 all good; 1 a kill took longer than LIMIT_MS (default 5000) or never converged, a node
# did not rejoin, a false death was seen, or the bench failed; 2 the cluster could not be set up.
#
# Environment: FIRST_IP (default 127.0.0.150; the first addresses from there with nothing listening
# are used), KILLS, LOAD_SECONDS, LIMIT_MS, SETTLE_SECONDS (default 3: steady time before each kill
# and before the load), REPUBLISH=1 (run scripts/publish.sh even if artifacts/publish has both apps).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PUBLISH=$ROOT/artifacts/publish
FIRST_IP=${FIRST_IP:-127.0.0.150}
KILLS=${KILLS:-12}
LOAD_SECONDS=${LOAD_SECONDS:-60}
LIMIT_MS=${LIMIT_MS:-5000}
SETTLE_SECONDS=${SETTLE_SECONDS:-3}
DETECTION_DEADLINE_MS=60000
REJOIN_DEADLINE_MS=90000
FORMATION_DEADLINE_MS=120000
NODES=3
LOG_DIR=$ROOT/artifacts/failover/$(date +%Y%m%d-%H%M%S)

IDS=()
for ((i = 0; i < NODES; i++)); do IDS+=("$i"); done
EXPECTED_ACTIVE="${IDS[*]}"
declare -a PIDS=() IPS=() HELPER_PIDS=()

# --- helpers (the polling ones fork nothing but curl, so a busy machine delays them little) -------

stamp() { local t=${EPOCHREALTIME/./}; NOW=$((t / 1000)); } # sets NOW, in ms
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# A process of ours is alive until it exits; an exited child not yet waited for is a zombie, which
# kill -0 would still find.
alive() {
  local stat
  [[ -n $1 && -r /proc/$1/stat ]] && read -r _ _ stat _ <"/proc/$1/stat" 2>/dev/null && [[ $stat != Z ]]
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local pid
  for pid in "${PIDS[@]}" "${HELPER_PIDS[@]}"; do
    if alive "$pid"; then
      kill -9 "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

publish() {
  if [[ ${REPUBLISH:-0} == 1 || ! -f $PUBLISH/silo/Silo.dll || ! -f $PUBLISH/client/Client.dll ]]; then
    log "publishing to ${PUBLISH#"$ROOT"/} (scripts/publish.sh)"
    "$ROOT/scripts/publish.sh" "$PUBLISH" >&2
  fi
}

# An address is free when nothing listens on it (another run's nodes, other engineers' tests).
pick_addresses() {
  local prefix=${FIRST_IP%.*} octet=${FIRST_IP##*.}
  while ((${#IPS[@]} < NODES)); do
    ((octet <= 254)) || { echo "no $NODES free loopback addresses from $FIRST_IP" >&2; exit 2; }
    if [[ -z $(ss -ltnH "src $prefix.$octet" 2>/dev/null) ]]; then IPS+=("$prefix.$octet"); fi
    octet=$((octet + 1))
  done
}

start_node() { # id linked_id
  local id=$1 linked=$2
  echo "=== $(date +%H:%M:%S.%3N) start NODE_ID=$id NODE_IP=${IPS[$id]} linked to $linked" >>"$LOG_DIR/node-$id.log"
  # Only the public configuration: the nodes get no other cache setting this shell may have.
  # Membership at Information and timestamps, to read what happened around each kill.
  env -u SILO_PORT -u GATEWAY_PORT -u HTTP_PORT -u CLUSTERING -u CLUSTER_ID -u BUCKETS \
    -u REPLICATION_FACTOR -u MAX_VALUE_BYTES -u ASPNETCORE_URLS \
    NODE_ID="$id" NODE_IP="${IPS[$id]}" LINKED_NODE_ID="$linked" LINKED_NODE_IP="${IPS[$linked]}" \
    Logging__LogLevel__Default=Warning \
    "Logging__LogLevel__Orleans.Runtime.MembershipService=Information" \
    Logging__Console__FormatterName=simple Logging__Console__FormatterOptions__TimestampFormat="HH:mm:ss.fff " \
    dotnet "$PUBLISH/silo/Silo.dll" >>"$LOG_DIR/node-$id.log" 2>&1 &
  PIDS[id]=$!
}

kill_node() { # id
  kill -9 "${PIDS[$1]}" 2>/dev/null || true
  wait "${PIDS[$1]}" 2>/dev/null || true
  PIDS[$1]=""
}

# Reads node id's GET /cluster: VIEW_SELF, the node that answered (empty when none did within a
# second), and VIEW_ROWS, one "id status" line per member row.
SELF_RE='"self":"([^"]*)"'
ROW_RE='"id":"([^"]*)","ip":"[^"]*","status":"([^"]*)"'
read_view() { # id
  local body
  body=$(curl -s -m 1 "http://${IPS[$1]}:8080/cluster" 2>/dev/null) || body=""
  VIEW_SELF="" VIEW_ROWS=""
  if [[ $body =~ $SELF_RE ]]; then VIEW_SELF=${BASH_REMATCH[1]}; fi
  while [[ $body =~ $ROW_RE ]]; do
    VIEW_ROWS+="${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"$'\n'
    body=${body#*"${BASH_REMATCH[0]}"}
  done
}

# The ids with an Active row in VIEW_ROWS, in id order: "0 1 2" when all are up.
view_active() {
  local id status extra=""
  local -A active=()
  while read -r id status; do [[ $status != Active ]] || active[$id]=1; done <<<"$VIEW_ROWS"
  VIEW_ACTIVE=""
  for id in "${IDS[@]}"; do
    if [[ -n ${active[$id]:-} ]]; then VIEW_ACTIVE+="${VIEW_ACTIVE:+ }$id"; unset "active[$id]"; fi
  done
  for id in "${!active[@]}"; do extra+=" $id"; done
  VIEW_ACTIVE+=$extra
}

# Every row of the victim in VIEW_ROWS is Dead (a restarted node also has the dead rows of its
# earlier runs, so "the victim's entry" is the one row of it that is not Dead yet).
view_sees_dead() { # victim_id
  local id status found=0
  while read -r id status; do
    [[ $id == "$1" ]] || continue
    [[ $status == Dead ]] || return 1
    found=1
  done <<<"$VIEW_ROWS"
  ((found))
}

# Whether every node answers /cluster itself and lists all nodes Active. A node just (re)started
# (fresh) is asked last, and only once the others list all Active.
cluster_converged() { # [fresh_id]
  local fresh=${1:-} id order=()
  for id in "${IDS[@]}"; do [[ $id == "$fresh" ]] || order+=("$id"); done
  [[ -z $fresh ]] || order+=("$fresh")
  for id in "${order[@]}"; do
    read_view "$id"
    view_active
    [[ $VIEW_SELF == "$id" && $VIEW_ACTIVE == "$EXPECTED_ACTIVE" ]] || return 1
  done
}

# Waits until cluster_converged, or fails after deadline_ms naming what each node saw; sets WAITED_MS.
wait_all_active() { # deadline_ms [fresh_id]
  local started id
  stamp; started=$NOW
  until cluster_converged "${2:-}"; do
    for id in "${IDS[@]}"; do
      alive "${PIDS[id]}" || { log "node $id exited; see $LOG_DIR/node-$id.log"; return 1; }
    done
    stamp
    if ((NOW - started >= $1)); then
      for id in "${IDS[@]}"; do
        read_view "$id"
        log "node $id (${IPS[$id]}) answers as '$VIEW_SELF' and sees: ${VIEW_ROWS//$'\n'/, }"
      done
      return 1
    fi
    sleep 0.2
  done
  stamp
  WAITED_MS=$((NOW - started))
}

# The node hosting the gossip membership table: the latest takeover (highest term) in the logs.
table_host() {
  local id term best=-1 host="?"
  for id in "${IDS[@]}"; do
    term=$(grep -o 'Now hosting the membership table (term [0-9]*' "$LOG_DIR/node-$id.log" 2>/dev/null | tail -1 | grep -o '[0-9]*$' || true)
    if [[ -n $term ]] && ((term > best)); then best=$term; host=$id; fi
  done
  echo "$host"
}

# ms since midnight of "HH:MM:SS.mmm".
clock_ms() { local h=${1:0:2} m=${1:3:2} s=${1:6:2} f=${1:9:3}; echo $(((10#$h * 3600 + 10#$m * 60 + 10#$s) * 1000 + 10#$f)); }

# When the first survivor logged "Evicting" the victim after kill k: Orleans' own moment of death,
# before the news reaches every node. Prints ms after the kill, or "?".
evicted_ms() { # k victim killed_at survivors...
  local k=$1 victim=$2 killed_at=$3 s at best=""
  shift 3
  for s in "$@"; do
    at=$(awk -v mark="kill -9 of node $victim (measurement $k)" -v silo="'S${IPS[$victim]}:" '
      index($0, mark) { after = 1; next }
      after && /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9][.][0-9][0-9][0-9] / { ts = $1 }
      after && index($0, "Evicting " silo) { print ts; exit }' "$LOG_DIR/node-$s.log")
    if [[ -n $at && ( -z $best || $at < $best ) ]]; then best=$at; fi
  done
  if [[ -z $best ]]; then echo "?"; else echo $(($(clock_ms "$best") - $(clock_ms "$killed_at"))); fi
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
summary() { # label values...
  local label=$1; shift
  (($# > 0)) || return 0
  local sorted; sorted=$(printf '%s\n' "$@" | sort -n)
  printf '  %-34s n=%-3s min %-6s median %-6s max %s\n' "$label" "$#" "$(head -1 <<<"$sorted")" "$(median <<<"$sorted")" "$(tail -1 <<<"$sorted")"
}

load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# --- set-up ---------------------------------------------------------------------------------------

mkdir -p "$LOG_DIR"
publish
pick_addresses

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); load average at start: $(load_average)"
echo "nodes: ${IPS[*]} (NODE_ID ${IDS[*]}, ring-linked); logs: ${LOG_DIR#"$ROOT"/}"
if awk -v n="$(nproc)" '{ exit !($1 > n) }' /proc/loadavg; then
  echo "warning: the 1-minute load average is above the core count; numbers may be noisy"
fi

for id in "${IDS[@]}"; do start_node "$id" $(((id + 1) % NODES)); done
if ! wait_all_active $FORMATION_DEADLINE_MS; then
  echo "the cluster did not form within $((FORMATION_DEADLINE_MS / 1000)) s; see $LOG_DIR" >&2
  exit 2
fi
echo "formed in $WAITED_MS ms"
echo

# --- 1. kill -9, detection, restart ---------------------------------------------------------------

row() { printf '%-4s %-6s %-5s %-13s %-12s %-10s %-20s %-8s %s\n' "$@"; }
# EVICTED_MS: Orleans wrote the victim Dead (first survivor's log); SEEN_DEAD_BY: each survivor's
# /cluster first showed it Dead; DEAD_MS: the later of those, the measured number.
row KILL VICTIM HOST IP KILLED_AT EVICTED_MS "SEEN_DEAD_BY (ms)" DEAD_MS REJOIN_MS
failed=0
rejoin=0
all_ms=() host_ms=() other_ms=() evicted_all=() never=0
for ((k = 1; k <= KILLS; k++)); do
  victim=$(((k - 1) % NODES))
  sleep "$SETTLE_SECONDS"
  survivors=()
  for id in "${IDS[@]}"; do ((id == victim)) || survivors+=("$id"); done
  host=$(table_host)
  [[ $host == "$victim" ]] && hosted=yes || hosted=no
  declare -A seen=()

  killed_at=$(date +%H:%M:%S.%3N)
  stamp; t0=$NOW
  kill_node "$victim"
  for id in "${IDS[@]}"; do
    echo "=== $killed_at kill -9 of node $victim (measurement $k)" >>"$LOG_DIR/node-$id.log"
  done

  stamp
  while ((${#seen[@]} < ${#survivors[@]} && NOW - t0 < DETECTION_DEADLINE_MS)); do
    for s in "${survivors[@]}"; do
      [[ -z ${seen[$s]:-} ]] || continue
      read_view "$s"
      stamp
      # Only the survivor's own answer counts: another node's view is not this one's.
      if [[ $VIEW_SELF == "$s" ]] && view_sees_dead "$victim"; then seen[$s]=$((NOW - t0)); fi
    done
    ((${#seen[@]} == ${#survivors[@]})) || { sleep 0.1; stamp; }
  done

  by="" worst=0
  for s in "${survivors[@]}"; do
    by+="$s:${seen[$s]:-never} "
    if ((${seen[$s]:-999999} > worst)); then worst=${seen[$s]:-999999}; fi
  done
  if ((${#seen[@]} < ${#survivors[@]})); then
    dead=never
    never=$((never + 1))
    failed=1
  else
    dead=$worst
    all_ms+=("$worst")
    if [[ $hosted == yes ]]; then host_ms+=("$worst"); else other_ms+=("$worst"); fi
    ((worst <= LIMIT_MS)) || failed=1
  fi
  unset seen

  start_node "$victim" "${survivors[0]}"
  if wait_all_active $REJOIN_DEADLINE_MS "$victim"; then rejoin=$WAITED_MS; else rejoin=never; fi
  evicted=$(evicted_ms "$k" "$victim" "$killed_at" "${survivors[@]}")
  [[ $evicted == "?" ]] || evicted_all+=("$evicted")
  row "$k" "$victim" "$hosted" "${IPS[$victim]}" "$killed_at" "$evicted" "$by" "$dead" "$rejoin"
  if [[ $rejoin == never ]]; then
    echo "node $victim did not rejoin within $((REJOIN_DEADLINE_MS / 1000)) s; stopping the kills" >&2
    failed=1
    break
  fi
done

echo
echo "declared dead on every survivor, ms from kill -9 to the last survivor's /cluster showing it (limit $LIMIT_MS):"
summary "all kills" "${all_ms[@]}"
summary "victim hosted the membership table" "${host_ms[@]}"
summary "victim did not host it" "${other_ms[@]}"
echo "evicted in the membership table (Orleans' own moment, from the logs), ms after the kill:"
summary "all kills" "${evicted_all[@]}"
echo "kills that never converged within $((DETECTION_DEADLINE_MS / 1000)) s: $never"
echo "load average after the kills: $(load_average)"
if ((failed)); then
  echo "FAILED: a kill took longer than $LIMIT_MS ms, never converged, or a node did not rejoin; see $LOG_DIR"
fi
if [[ $rejoin == never ]]; then exit 1; fi

# --- 2. false deaths under load -------------------------------------------------------------------

echo
echo "load: bench --duration $LOAD_SECONDS against ${IPS[0]}, every node's /cluster polled every 500 ms"
sleep "$SETTLE_SECONDS"
dead_rows() {
  local id counts=""
  for id in "${IDS[@]}"; do
    read_view "$id"
    counts+="${counts:+ }$(grep -c ' Dead$' <<<"$VIEW_ROWS" || true)"
  done
  echo "$counts"
}
dead_rows_before=$(dead_rows)

watch_cluster() {
  local polls=0 unanswered=0 id
  while true; do
    for id in "${IDS[@]}"; do
      read_view "$id"
      view_active
      polls=$((polls + 1))
      if [[ -z $VIEW_SELF ]]; then
        unanswered=$((unanswered + 1))
        echo "$(date +%H:%M:%S.%3N) node $id: /cluster did not answer within 1 s" >>"$LOG_DIR/watch.log"
      elif [[ $VIEW_ACTIVE != "$EXPECTED_ACTIVE" ]]; then
        echo "$(date +%H:%M:%S.%3N) node $id (answered by $VIEW_SELF) sees active [$VIEW_ACTIVE]: NOT ALL ACTIVE" >>"$LOG_DIR/watch.log"
      fi
    done
    echo "$polls $unanswered" >"$LOG_DIR/watch.count.tmp" && mv "$LOG_DIR/watch.count.tmp" "$LOG_DIR/watch.count"
    sleep 0.5
  done
}
: >"$LOG_DIR/watch.log"
watch_cluster &
HELPER_PIDS+=($!)

bench_rc=0
dotnet "$PUBLISH/client/Client.dll" bench --duration "$LOAD_SECONDS" --node "${IPS[0]}" \
  >"$LOG_DIR/bench.out" 2>"$LOG_DIR/bench.err" &
HELPER_PIDS+=($!)
wait "${HELPER_PIDS[1]}" || bench_rc=$?
kill -9 "${HELPER_PIDS[0]}" 2>/dev/null || true
wait "${HELPER_PIDS[0]}" 2>/dev/null || true

dead_rows_after=$(dead_rows)
exited=""
for id in "${IDS[@]}"; do alive "${PIDS[id]}" || exited+="${exited:+ }$id"; done
not_active=$(grep -c 'NOT ALL ACTIVE' "$LOG_DIR/watch.log" || true)
polls=0 unanswered=0
[[ ! -f $LOG_DIR/watch.count ]] || read -r polls unanswered <"$LOG_DIR/watch.count" || true

cat "$LOG_DIR/bench.out"
echo "bench exit code: $bench_rc"
echo "/cluster polls: $polls, unanswered within 1 s: $unanswered, a member seen not Active: $not_active times"
echo "dead rows per node before/after the load: [$dead_rows_before] / [$dead_rows_after]; nodes exited: [$exited]"
echo "load average after the load: $(load_average)"
if ((not_active > 0)) || [[ -n $exited || $dead_rows_before != "$dead_rows_after" ]]; then
  echo "FALSE DEATH under load; see $LOG_DIR/watch.log"
  grep 'NOT ALL ACTIVE' "$LOG_DIR/watch.log" | head -5 || true
  failed=1
else
  echo "false deaths: none"
fi
if ((bench_rc != 0)); then
  echo "FAILED: the bench exited $bench_rc; see $LOG_DIR/bench.err"
  failed=1
fi
exit "$failed"
