#!/usr/bin/env bash
# flood-refusals.sh -- the flood alone against one or more builds of the gateway, alternating run by run.
#
# For each run and each tree given (a checkout of this repository with its project built; default: this one), the
# whole local stack starts on private ports (./gateway up of that tree), 127.0.5.0/24 is blocked through the admin
# API as an operator would, and ../shared/bench/flood.py -c C -P 2 floods the SMTP port from 127.0.5.1-200: W s of
# warm-up, then D s measured. Prints the refusals per second (the ingress's own count of blocked connections), the
# ingress's CPU per refusal, and the flood tool's reply p50/p99. No legitimate mail: bench/flood-bench.sh measures
# that. Numbers, not a test. To compare a change with the commit before it:
#   git worktree add /tmp/before HEAD~1 && (cd /tmp/before && ./mvnw -q package -DskipTests)
#   bench/flood-refusals.sh /tmp/before .
#
# Usage: bench/flood-refusals.sh [-r runs] [-c concurrency] [-w warm-up seconds] [-d seconds] [tree...]
# Needs root (flood.py binds 127.0.5.x), python3, curl and built projects. The stack's PostgreSQL is the embedded one
# unless GATEWAY_POSTGRES_BINARIES says otherwise (it plays no part in a refusal).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FLOOD="${FLOOD:-$ROOT/../shared/bench/flood.py}"
source "$ROOT/bench/lib/private-stack.sh"
source "$ROOT/bench/lib/stack-cpu.sh"   # stack_cpu_init, stack_part_ticks
RUNS=3 C=200 W=40 D=20 BASE=29800 DATA=/var/tmp/gw-flood-refusals
while getopts "r:c:w:d:h" o; do
  case $o in r) RUNS=$OPTARG ;; c) C=$OPTARG ;; w) W=$OPTARG ;; d) D=$OPTARG ;; *) sed -n '2,16p' "$0"; exit 2 ;; esac
done
shift $((OPTIND - 1))
TREES=("$@")
[[ ${#TREES[@]} -gt 0 ]] || TREES=("$ROOT")
for tree in "${TREES[@]}"; do
  [[ -x "$tree/gateway" ]] || { echo "$tree: not a checkout of the gateway" >&2; exit 1; }
done
up=
trap '[[ -z "$up" ]] || "$up/gateway" down >/dev/null 2>&1 || true' EXIT

blocked() {
  curl -s "http://127.0.0.1:$((BASE + 81))/q/metrics" \
    | awk '$0 !~ /^#/ && $1 ~ /gateway_smtp_connections_total.*blocked/ {s += $2} END {printf "%d", s}'
}

echo "# $(date -u +%FT%TZ), $(nproc) cores; flood.py -c $C -P 2 --src 127.0.5.1-200, $W s of warm-up, $D s measured"
for r in $(seq "$RUNS"); do
  for tree in "${TREES[@]}"; do
    tree=$(cd "$tree" && pwd)
    private_stack_env "$BASE" $((BASE + 126)) "$DATA"
    export GATEWAY_SMTP_MAX_CONNECTIONS_PER_IP=20000 GATEWAY_POLICY_BLOCK_ENABLED=false
    rm -rf "$DATA"
    up=$tree
    "$tree/gateway" up >/dev/null 2>&1 || { echo "$tree: ./gateway up failed (see $DATA)" >&2; exit 1; }
    admin_url=$(sed -n 's/^ADMIN_URL=//p' "$DATA/run/stack.env")
    curl -sf -X POST -H "Authorization: Bearer $(cat "$DATA/admin-api-key")" -H 'Content-Type: application/json' \
      -d '{"cidr": "127.0.5.0/24", "reason": "flood benchmark", "expires": "PT2H"}' "$admin_url/api/v1/blocklist" >/dev/null
    # the block reaches the ingress through policy.blocklist: wait for its first 554
    until python3 "$FLOOD" -p $((BASE + 25)) -c 1 -n 1 --src 127.0.5.1-1 2>/dev/null | grep -q '"554"'; do sleep 0.5; done
    python3 "$FLOOD" -p $((BASE + 25)) -c "$C" -P 2 -d "$W" --src 127.0.5.1-200 >/dev/null 2>&1
    stack_cpu_init "$DATA"
    n0=$(blocked); t0=$(stack_part_ticks SMTP_INGRESS)
    out=$(python3 "$FLOOD" -p $((BASE + 25)) -c "$C" -P 2 -d "$D" --src 127.0.5.1-200 2>/dev/null)
    t1=$(stack_part_ticks SMTP_INGRESS); n1=$(blocked)
    "$tree/gateway" down >/dev/null 2>&1
    up=
    echo "$out" | python3 -c '
import json, sys
j = json.load(sys.stdin)
refused, ticks, hz, seconds, run, tree = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]),
                                          sys.argv[5], sys.argv[6])
other = {k: v for k, v in j["outcomes"].items() if k != "554"}
p50, p99 = j["reply_ms"]["p50"], j["reply_ms"]["p99"]
cpu = ticks * 1000 / hz / max(1, refused)
print(f"run {run} {tree}  refusals/s {refused / seconds:7.0f}  ingress CPU per refusal {cpu:.4f} ms"
      f"  reply p50 {p50:5.1f} ms  p99 {p99:5.1f} ms  not 554: {other or 0}")
' $((n1 - n0)) $((t1 - t0)) "$(getconf CLK_TCK)" "$D" "$r" "$tree"
  done
done
