# shellcheck shell=bash
# What scripts/bench-*.sh and scripts/scale-ten.sh share; sourced by them, not run. It reads their
# --no-publish and --help, publishes once, hands out loopback addresses, starts redis-server and nodes,
# waits for them, loads keys, and stops everything it started when the script exits (Ctrl-C included).
#
# Before sourcing, the script sets `script` (its name, for messages). It then calls, in this order:
#   bench_arguments "$@"; bench_addresses COUNT DEFAULT_FIRST_IP; bench_require TOOL...;
#   bench_publish; start_redis / start_node ...; bench_wait_until DESCRIPTION COMMAND...
#
#   BENCH_FIRST_IP      first loopback address used (each script has its own default)
#   BENCH_DIR           logs and raw results (default artifacts/bench)
#   BENCH_PUBLISH_DIR   where scripts/publish.sh puts the binaries (default artifacts/publish)

script="${script:-$(basename "$0")}"

# Paths given in the environment are relative to where the script was run from.
bench_dir="${BENCH_DIR:-}"
publish_dir="${BENCH_PUBLISH_DIR:-}"
[[ -z "$bench_dir" || "$bench_dir" == /* ]] || bench_dir="$PWD/$bench_dir"
[[ -z "$publish_dir" || "$publish_dir" == /* ]] || publish_dir="$PWD/$publish_dir"
script_path="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
bench_dir="${bench_dir:-$root/artifacts/bench}"
publish_dir="${publish_dir:-$root/artifacts/publish}"

# The script's header comment, from its second line to the first line that is not a comment.
usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$script_path"
}

bench_fail() {
  echo "$script: $*" >&2
  exit 1
}

publish=1
bench_arguments() {
  local arg
  for arg in "$@"; do
    case "$arg" in
      --no-publish) publish=0 ;;
      -h|--help) usage; exit 0 ;;
      *) echo "$script: unknown argument '$arg'." >&2; usage >&2; exit 2 ;;
    esac
  done
}

# Checks that every named variable holds a positive whole number.
bench_positive() {
  local name
  for name in "$@"; do
    [[ "${!name}" =~ ^[1-9][0-9]*$ ]] || { echo "$script: $name must be a positive whole number; it is '${!name}'." >&2; exit 2; }
  done
}

# COUNT addresses from BENCH_FIRST_IP (else DEFAULT_FIRST_IP); ip_of I prints the I-th, from 0.
# Refuses to start when any of them already serves one of the ports a target would use.
bench_addresses() {
  local count="$1" first_ip="${BENCH_FIRST_IP:-$2}" i port
  if ! [[ "$first_ip" =~ ^([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})\.([0-9]{1,3})$ ]] || (( 10#${BASH_REMATCH[2]} + count - 1 > 254 )); then
    echo "$script: BENCH_FIRST_IP must be an IPv4 address with room for $count (e.g. $2); got '$first_ip'." >&2
    exit 2
  fi
  ip_prefix="${BASH_REMATCH[1]}"
  first_host=$((10#${BASH_REMATCH[2]}))
  for ((i = 0; i < count; i++)); do
    for port in 6379 8080 11111 30000; do
      # shellcheck disable=SC2016 # $0 and $1 are the inner bash's arguments
      if timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$(ip_of "$i")" "$port" 2>/dev/null; then
        bench_fail "$(ip_of "$i"):$port is in use; choose other addresses with BENCH_FIRST_IP."
      fi
    done
  done
}

ip_of() {
  printf '%s.%d\n' "$ip_prefix" $((first_host + $1))
}

bench_require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || bench_fail "$tool not found (apt-get install redis-server redis-tools curl)."
  done
}

bench_publish() {
  if (( publish == 0 )) && [[ -f "$publish_dir/silo/Silo.dll" && -f "$publish_dir/client/Client.dll" ]]; then
    echo "Using the binaries already in $publish_dir (--no-publish)."
  else
    echo "Publishing to $publish_dir (scripts/publish.sh) ..."
    bash scripts/publish.sh "$publish_dir" > /dev/null
  fi
  mkdir -p "$bench_dir"
}

started=()
stop_all() {
  local -a pids=("${started[@]}")
  (( ${#pids[@]} )) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "${pids[@]}" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
}

# Stops one process this script started (TERM, then KILL after 30 s) and forgets it.
stop_pid() { # pid
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL "$pid" 2>/dev/null || true
  local -a rest=()
  for i in "${started[@]}"; do
    [[ "$i" == "$pid" ]] || rest+=("$i")
  done
  started=("${rest[@]}")
}

trap stop_all EXIT
trap 'echo "$script: interrupted." >&2; exit 130' INT
trap 'echo "$script: terminated." >&2; exit 143' TERM

# Starts redis-server on IP:6379 with persistence off; its pid is then last_pid.
start_redis() { # name ip
  redis-server --bind "$2" --port 6379 --save "" --appendonly no --protected-mode no \
    > "$bench_dir/$1.log" 2>&1 &
  last_pid=$!
  started+=("$last_pid")
}

# Starts a published node with NODE_ID=id and NODE_IP=ip, and only the given variables besides the
# defaults (a stray RESP_PORT or LINKED_NODE_IP in the caller's environment would bend the run); its
# pid is then last_pid. silo_dll, if set, names another build's Silo.dll to run.
start_node() { # name id ip [VAR=value ...]
  local name="$1" id="$2" ip="$3"
  shift 3
  env -u LINKED_NODE_ID -u LINKED_NODE_IP -u RESP_PORT -u HTTP_PORT -u SILO_PORT -u GATEWAY_PORT \
    -u REPLICATION_FACTOR -u MAX_MEMORY_BYTES -u EVICTION_POLICY -u BUCKETS \
    NODE_ID="$id" NODE_IP="$ip" Logging__LogLevel__Default=Warning "$@" \
    dotnet "${silo_dll:-$publish_dir/silo/Silo.dll}" < /dev/null > "$bench_dir/$name.log" 2>&1 &
  last_pid=$!
  started+=("$last_pid")
}

# Starts a ring-linked cluster of the given addresses (node i links to i+1) with the given variables.
start_cluster() { # name cluster-id "ip0 ip1 ..." [VAR=value ...]
  local name="$1" cluster_id="$2" i next
  local -a ips
  read -r -a ips <<< "$3"
  shift 3
  for ((i = 0; i < ${#ips[@]}; i++)); do
    next=$(((i + 1) % ${#ips[@]}))
    start_node "$name-$i" "$i" "${ips[$i]}" CLUSTER_ID="$cluster_id" "$@" \
      LINKED_NODE_ID="$next" LINKED_NODE_IP="${ips[$next]}"
  done
}

redis_up() { # ip
  redis-cli -h "$1" ping 2>/dev/null | grep -q PONG
}

# Whether every given node lists exactly that many members as Active.
cluster_up() { # ip...
  local ip
  for ip in "$@"; do
    (( $(curl -fsS --max-time 2 "http://$ip:8080/cluster" 2>/dev/null | grep -o '"status":"Active"' | wc -l) == $# )) || return 1
  done
}

bench_wait_until() { # description command...
  local description="$1" deadline=$((SECONDS + 180))
  shift
  echo "Waiting for $description ..."
  until "$@"; do
    (( SECONDS < deadline )) || bench_fail "$description not ready within 180 s; logs in $bench_dir."
    sleep 1
  done
}

# One SET per key, in RESP, keys <prefix>:<12 digits> from 0, the same value (all "x") for every key.
set_commands() { # prefix count value-size
  awk -v prefix="$1" -v keys="$2" -v size="$3" 'BEGIN {
    # Doubled, not sprintf("%" size "s"): mawk refuses to sprintf more than 8 KiB.
    value = "x"; while (length(value) < size) value = value value; value = substr(value, 1, size)
    for (i = 0; i < keys; i++) {
      key = sprintf("%s:%012d", prefix, i)
      printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(key), key, size, value
    }
  }'
}

# Writes set_commands' keys through IP's RESP port, pipelined on one connection, and checks that every
# reply is +OK; the reply counts go to BENCH_DIR/load-<name>-<prefix>.log.
load_keys() { # name ip prefix count value-size
  local since=$SECONDS writer replies
  echo "Loading $4 keys of $5 bytes into $1 ..." >&2
  exec 3<>"/dev/tcp/$2/6379"
  set_commands "$3" "$4" "$5" >&3 &
  writer=$!
  replies=$(timeout 900 head -n "$4" <&3 | tr -d '\r' | sort | uniq -c | tee "$bench_dir/load-$1-$3.log")
  wait "$writer" || true
  exec 3<&- 3>&-
  [[ "$(awk '{ print $1 " " $2 }' <<< "$replies")" == "$4 +OK" ]] || bench_fail "loading $1 failed; replies: $replies"
  echo "  $1 loaded in $((SECONDS - since)) s" >&2
}
