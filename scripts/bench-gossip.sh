#!/usr/bin/env bash
# Measures what the gossip membership's table host costs as the cluster grows (a benchmark, not a test: it
# asserts nothing, it prints a Markdown table). Builds Benchmarks/GossipLoad (Release) and runs it: for each size
# n, n gossip-only nodes (the real GossipMembership over HTTP, no silo) on consecutive loopback addresses, n000
# hosting the table alone in its process, n001 alone in another, the rest in processes of up to 50; once every
# node is in the table and follows n000, and after 10 s to settle, the CPU of each process and the membership
# bytes n000 and n001 serve over the window. Everything started is stopped on exit, Ctrl-C included.
#
#   scripts/bench-gossip.sh [--baseline COMMIT] [--sizes 10,25,50] [--window 30] [GossipLoad options ...]
#
#   --baseline COMMIT   also build this benchmark at COMMIT (a temporary worktree, /tmp/gossip-baseline-<sha>,
#                       removed at the end, with this Benchmarks/GossipLoad copied into it: it uses only what
#                       Membership and Silo offered at ff96a42), run both builds for each size in turn, baseline
#                       first, and print one table with the ratio current/baseline of the host's CPU and bytes
#   --sizes LIST        cluster sizes (default 10,25,50); every other option goes to GossipLoad as it is
#                       (--window SECONDS, --settle SECONDS, --per-process NODES, --deadline SECONDS)
#   BENCH_FIRST_IP      address of n000; node i is at the i-th after it (default 127.0.4.1)
#   BENCH_DIR           logs and results, under gossip-load/ (default artifacts/bench)
#
# One size takes its formation time (seconds) plus settle and window (40 s by default) plus a few seconds
# to start and stop the processes, per build.
set -euo pipefail

script=bench-gossip.sh
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

baseline=""
sizes="10,25,50"
passed=()
while (( $# )); do
  case "$1" in
    --baseline) (( $# >= 2 )) || bench_fail "--baseline needs a commit."; baseline="$2"; shift 2 ;;
    --sizes) (( $# >= 2 )) || bench_fail "--sizes needs a list, e.g. 10,25,50."; sizes="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) passed+=("$1"); shift ;;
  esac
done
[[ "$sizes" =~ ^[0-9]+(,[0-9]+)*$ ]] || bench_fail "--sizes must be whole numbers separated by commas (e.g. 10,25,50); it is '$sizes'."
IFS=, read -r -a size_list <<< "$sizes"
largest=$(printf '%s\n' "${size_list[@]}" | sort -n | tail -n 1)
bench_positive largest
bench_addresses "$largest" 127.0.4.1
bench_require dotnet git

out="$bench_dir/gossip-load"
mkdir -p "$out"
options=(--first-ip "$(ip_of 0)" --logs "$out" "${passed[@]}")

baseline_tree=""
cleanup() {
  stop_all
  if [[ -n "$baseline_tree" ]]; then
    git worktree remove --force "$baseline_tree" 2> /dev/null || rm -rf "$baseline_tree"
    git worktree prune
  fi
}
trap cleanup EXIT

build() { # name project-dir
  echo "Building $1 ($2, Release) ..." >&2
  dotnet build "$2/Benchmarks/GossipLoad/GossipLoad.csproj" -c Release -nologo > "$out/build-$1.log" 2>&1 \
    || bench_fail "building $1 failed; see $out/build-$1.log."
}

# Runs a build of GossipLoad in the background, so that the traps can stop it, and waits for it.
run_load() { # binary arguments...
  local status=0
  "$@" &
  started=("$!")
  wait "$!" || status=$?
  started=()
  return "$status"
}

current="$root/Benchmarks/GossipLoad/bin/Release/net10.0/GossipLoad"
build current "$root"
if [[ -z "$baseline" ]]; then
  run_load "$current" --sizes "$sizes" "${options[@]}"
  exit 0
fi

sha="$(git rev-parse --verify --quiet "$baseline^{commit}")" || bench_fail "--baseline: '$baseline' is not a commit."
baseline_tree="/tmp/gossip-baseline-${sha:0:12}"
git worktree remove --force "$baseline_tree" 2> /dev/null || true
git worktree add --detach "$baseline_tree" "$sha" > /dev/null 2>&1 || bench_fail "could not make a worktree of $sha at $baseline_tree."
rm -rf "$baseline_tree/Benchmarks/GossipLoad"
mkdir -p "$baseline_tree/Benchmarks"
tar -C Benchmarks --exclude=bin --exclude=obj -cf - GossipLoad | tar -C "$baseline_tree/Benchmarks" -xf -
build "baseline-${sha:0:12}" "$baseline_tree"

results="$out/results.tsv"
: > "$results"
# A size that does not form is a result too (the old code's host, overloaded, was replaced and the cluster
# split at 200 nodes here): say so and go on with the other build and sizes.
unformed=()
for n in "${size_list[@]}"; do
  for build in baseline current; do
    binary="$current"
    [[ "$build" == current ]] || binary="$baseline_tree/Benchmarks/GossipLoad/bin/Release/net10.0/GossipLoad"
    echo "n=$n: $build ..." >&2
    run_load "$binary" --sizes "$n" --label "$build" --results "$results" "${options[@]}" > "$out/table-$build-$n.md" \
      || unformed+=("n=$n $build")
  done
done

echo
echo "Gossip table host load, baseline ${sha:0:12} against the working tree (CPU in % of one core)"
"$current" compare "$results"
if (( ${#unformed[@]} )); then
  echo
  echo "Did not form within the deadline (no row above; the reason is in the log): ${unformed[*]}"
fi
