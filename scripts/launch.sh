#!/usr/bin/env bash
# Starts N cache nodes on this machine, one loopback address each, linked in a ring as the original
# cluster was (node i links to node i+1, the last to node 0), and waits until they form one cluster.
#
#   scripts/launch.sh [N] [--no-publish]      N = 1..50, default 3
#
# Nodes get NODE_ID 0..N-1 and NODE_IP 127.0.0.10, .11, ...; every other variable set for this script
# reaches the nodes too, e.g. `REPLICATION_FACTOR=3 scripts/launch.sh 5`. Stop them with scripts/stop.sh.
#
#   --no-publish      use the binaries already in LAUNCH_PUBLISH_DIR (published if absent)
#   LAUNCH_FIRST_IP   address of node 0 (default 127.0.0.10); node i gets its last number + i
#   LAUNCH_DIR        folder for node-<i>.log and the pid file (default artifacts/launch)
#   LAUNCH_PUBLISH_DIR  where scripts/publish.sh puts the binaries (default artifacts/publish)
#   LAUNCH_TIMEOUT    seconds to wait for the cluster to form (default 60 + 5 per node)
#   LAUNCH_INTERVAL   seconds between two node starts (default 0: all at once); any value forms one cluster
set -euo pipefail

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

# Paths given in the environment are relative to where the script was run from.
launch_dir="${LAUNCH_DIR:-}"
publish_dir="${LAUNCH_PUBLISH_DIR:-}"
[[ -z "$launch_dir" || "$launch_dir" == /* ]] || launch_dir="$PWD/$launch_dir"
[[ -z "$publish_dir" || "$publish_dir" == /* ]] || publish_dir="$PWD/$publish_dir"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
launch_dir="${launch_dir:-$root/artifacts/launch}"
publish_dir="${publish_dir:-$root/artifacts/publish}"
pid_file="$launch_dir/pids"

count=""
publish=1
for arg in "$@"; do
  case "$arg" in
    --no-publish) publish=0 ;;
    -h|--help) usage; exit 0 ;;
    *)
      if [[ -z "$count" && "$arg" =~ ^[0-9]+$ ]] && (( 10#$arg >= 1 && 10#$arg <= 50 )); then
        count=$((10#$arg))
      else
        echo "launch.sh: expected one node count from 1 to 50 and optionally --no-publish; got '$arg'." >&2
        echo "usage: scripts/launch.sh [N] [--no-publish]" >&2
        exit 2
      fi
      ;;
  esac
done

count="${count:-3}"

first_ip="${LAUNCH_FIRST_IP:-127.0.0.10}"
if ! [[ "$first_ip" =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]]; then
  echo "launch.sh: LAUNCH_FIRST_IP must be an IPv4 address like 127.0.0.10; got '$first_ip'." >&2
  exit 2
fi
ip_prefix="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}"
first_host=$((10#${BASH_REMATCH[4]}))
if (( first_host < 1 || first_host + count - 1 > 254 )); then
  echo "launch.sh: $count nodes from $first_ip do not fit in $ip_prefix.1-254; lower LAUNCH_FIRST_IP or N." >&2
  exit 2
fi

http_port="${HTTP_PORT:-8080}"
silo_port="${SILO_PORT:-11111}"
gateway_port="${GATEWAY_PORT:-30000}"
resp_port="${RESP_PORT:-6379}"
# Measured on 2 cores shared with other test runs: 5 nodes formed in 18 s at load average 15, in 55 s
# at 29 (3 nodes: 37-39 s at 29).
timeout_s="${LAUNCH_TIMEOUT:-$((60 + 5 * count))}"
if ! [[ "$timeout_s" =~ ^[0-9]+$ ]]; then
  echo "launch.sh: LAUNCH_TIMEOUT must be a number of seconds; got '$timeout_s'." >&2
  exit 2
fi
interval_s="${LAUNCH_INTERVAL:-0}"
if ! [[ "$interval_s" =~ ^[0-9]+([.][0-9]+)?$ ]]; then
  echo "launch.sh: LAUNCH_INTERVAL must be a number of seconds like 2 or 0.5; got '$interval_s'." >&2
  exit 2
fi
# The wait for formation starts after the last node: count the start pauses in.
timeout_s=$((10#$timeout_s + 10#${interval_s%.*} * (count - 1)))
ip_of() { printf '%s.%d\n' "$ip_prefix" $((first_host + $1)); }

is_node() { # pid: a running Silo.dll process?
  ps -o args= -p "$1" 2>/dev/null | grep -q 'Silo\.dll'
}

# Never start a second set over the first: it would fight for the addresses, and the pid file would
# forget the running nodes.
if [[ -f "$pid_file" ]]; then
  live=""
  while read -r pid id ip; do
    if [[ -n "${pid:-}" ]] && is_node "$pid"; then live="$live $pid(node $id, $ip)"; fi
  done < "$pid_file"
  if [[ -n "$live" ]]; then
    echo "launch.sh: nodes of an earlier launch are still running:$live." >&2
    echo "Run scripts/stop.sh first (with the same LAUNCH_DIR, if you set one)." >&2
    exit 1
  fi
  rm -f "$pid_file"
fi

# A node that finds its address taken would fail after a while with a bind error; say so now.
for ((i = 0; i < count; i++)); do
  ip="$(ip_of "$i")"
  for port in "$http_port" "$silo_port" "$gateway_port" "$resp_port"; do
    # shellcheck disable=SC2016 # $0 and $1 are the inner bash's arguments
    if timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$ip" "$port" 2>/dev/null; then
      echo "launch.sh: $ip:$port is already in use (another node or program; see \`ss -ltnp | grep ':$port'\`)." >&2
      echo "Stop it, or start from free addresses, e.g. LAUNCH_FIRST_IP=$ip_prefix.$((first_host + count + 10)) scripts/launch.sh $count." >&2
      exit 1
    fi
  done
done

if (( publish == 0 )) && [[ -f "$publish_dir/silo/Silo.dll" ]]; then
  echo "Using the published node in $publish_dir/silo (--no-publish)."
else
  echo "Publishing to $publish_dir (scripts/publish.sh) ..."
  bash scripts/publish.sh "$publish_dir" || { echo "launch.sh: publishing failed; no node started." >&2; exit 1; }
fi

mkdir -p "$launch_dir"
rm -f "$launch_dir"/node-*.log
: > "$pid_file"

# From here on, any failure, Ctrl-C or SIGTERM stops the nodes started: none is left running unreported.
stop_started() {
  echo "Stopping the nodes started." >&2
  LAUNCH_DIR="$launch_dir" bash "$root/scripts/stop.sh" >&2 || true
}
formed=0
trap '(( formed )) || stop_started' EXIT
trap 'echo "launch.sh: interrupted." >&2; exit 130' INT
trap 'echo "launch.sh: terminated." >&2; exit 143' TERM

for ((i = 0; i < count; i++)); do
  ip="$(ip_of "$i")"
  link=()
  if (( count > 1 )); then
    link=("LINKED_NODE_ID=$(((i + 1) % count))" "LINKED_NODE_IP=$(ip_of $(((i + 1) % count)))")
  fi
  env -u LINKED_NODE_ID -u LINKED_NODE_IP NODE_ID="$i" NODE_IP="$ip" ${link[@]+"${link[@]}"} \
    nohup dotnet "$publish_dir/silo/Silo.dll" < /dev/null > "$launch_dir/node-$i.log" 2>&1 &
  echo "$! $i $ip" >> "$pid_file"
  disown "$!" # the pid file tracks it; bash need not report how it ends
  if (( i < count - 1 )); then sleep "$interval_s"; fi
done

echo "Started $count node(s); waiting up to ${timeout_s} s for each to see $count active member(s) ..."

fail() { # node id, reason
  echo "launch.sh: $2" >&2
  echo "--- last lines of $launch_dir/node-$1.log ---" >&2
  tail -n 30 "$launch_dir/node-$1.log" >&2 || true
  echo "---" >&2
  exit 1
}

# The addresses every node must list as its active members, in the order sort prints them.
expected="$(for ((i = 0; i < count; i++)); do ip_of "$i"; done | sort | tr '\n' ' ')"

active_ips() { # /cluster JSON -> its active members' addresses, sorted, space-separated
  { grep -o '"ip":"[^"]*","status":"Active"' <<< "$1" || true; } | cut -d'"' -f4 | sort | tr '\n' ' '
}

members() { # /cluster JSON -> "id@ip Status, ..." for a failure message
  { grep -o '"id":"[^"]*","ip":"[^"]*","status":"[^"]*"' <<< "$1" || true; } \
    | sed -E 's/"id":"([^"]*)","ip":"([^"]*)","status":"([^"]*)"/\1@\2 \3/' | paste -sd ',' - | sed 's/,/, /g'
}

deadline=$((SECONDS + 10#$timeout_s))
while :; do
  waiting=""
  while read -r pid id ip; do
    if ! kill -0 "$pid" 2>/dev/null; then
      fail "$id" "node $id ($ip) exited before the cluster formed."
    fi
    # Comparing addresses, not a count, also tells this launch's nodes from any other program's.
    view="$(curl -fsS --max-time 2 "http://$ip:$http_port/cluster" 2>/dev/null || true)"
    if [[ "$(active_ips "$view")" != "$expected" ]]; then
      waiting="$id"
      break
    fi
  done < "$pid_file"
  [[ -z "$waiting" ]] && break
  if (( SECONDS >= deadline )); then
    if [[ -z "$view" ]]; then
      seen="nothing: its HTTP port did not answer"
    else
      seen="$(members "$view")"
    fi
    fail "$waiting" "node $waiting ($(ip_of "$waiting")) did not list all $count nodes as active within ${timeout_s} s; it listed ${seen:-no members}."
  fi
  sleep 0.5
done
# shellcheck disable=SC2034 # read by the EXIT trap
formed=1

printf '\nOrleans.Cache: %d node(s) running (logs and pids in %s)\n\n' "$count" "$launch_dir"
row() { printf '%-5s %-15s %-24s %-36s %s\n' "$@"; }
row NODE IP HTTP DASHBOARD GATEWAY
while read -r _ id ip; do
  row "$id" "$ip" "http://$ip:$http_port" "http://$ip:$http_port/dashboard/" "$ip:$gateway_port"
done < "$pid_file"
printf '\nTry:  curl -s http://%s:%s/cluster\n' "$(ip_of 0)" "$http_port"
printf '      dotnet %s/client/Client.dll cluster --node %s\n' "$publish_dir" "$(ip_of 0)"
printf 'Stop: %sscripts/stop.sh\n' "${LAUNCH_DIR:+LAUNCH_DIR=$launch_dir }"
