#!/usr/bin/env bash
# refusal-floor.sh -- what refusing a flood connection costs below the gateway's own code, three ways.
#
# bench/refusal-floor/Refuser.java answers every connection with a 554 and closes it:
#   vertx     a Vert.x NetServer, two instances, as smtp-ingress listens (Vert.x's one acceptor thread accepts and
#             hands each connection to an event loop)
#   nettyhop  Netty with the same shape: one acceptor thread, two event loops
#   netty     Netty accepting on its two event loops themselves: a listening socket each, with SO_REUSEPORT
# Each run, modes alternating: the refuser starts, ../shared/bench/flood.py -c C -P 2 floods it from
# 127.0.5.1-200 for 10 s (warm-up) and then D s (measured). Prints refusals/s, the reply's p50/p99 and the
# refuser's CPU per refusal. Numbers, not a test; compare with the ingress's own (docs/benchmarks.md).
#
# Usage: bench/refusal-floor.sh [-r runs] [-c concurrency] [-d seconds]
# Needs python3, a JDK (the refuser runs as a source file) and a built project (its classpath is smtp-ingress's:
# the same Vert.x and Netty).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FLOOD="${FLOOD:-$ROOT/../shared/bench/flood.py}"
LIB="$ROOT/smtp-ingress/target/quarkus-app/lib/main"
source "$ROOT/bench/lib/stack-cpu.sh"   # stack_ticks
RUNS=3 C=200 D=20 PORT=29725
while getopts "r:c:d:h" o; do
  case $o in r) RUNS=$OPTARG ;; c) C=$OPTARG ;; d) D=$OPTARG ;; *) sed -n '2,15p' "$0"; exit 2 ;; esac
done
[[ -d "$LIB" ]] || { echo "build the project first (./mvnw package -DskipTests)" >&2; exit 1; }
LOG=$(mktemp -d)
pid=
trap '[[ -z "$pid" ]] || kill "$pid" 2>/dev/null || true; rm -rf "$LOG"' EXIT
echo "# $(date -u +%FT%TZ), $(nproc) cores; flood.py -c $C -P 2 -d $D --src 127.0.5.1-200, after 10 s of the same"
for r in $(seq "$RUNS"); do
  for mode in vertx nettyhop netty; do
    java -Xmx256m -cp "$LIB/*" "$ROOT/bench/refusal-floor/Refuser.java" "$mode" "$PORT" > "$LOG/$mode" 2>&1 &
    pid=$!
    until grep -q "listening" "$LOG/$mode"; do
      kill -0 "$pid" 2>/dev/null || { cat "$LOG/$mode" >&2; exit 1; }
      sleep 0.2
    done
    python3 "$FLOOD" -p "$PORT" -c "$C" -P 2 -d 10 --src 127.0.5.1-200 >/dev/null 2>&1
    t0=$(stack_ticks "$pid")
    out=$(python3 "$FLOOD" -p "$PORT" -c "$C" -P 2 -d "$D" --src 127.0.5.1-200 2>/dev/null)
    t1=$(stack_ticks "$pid")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    pid=
    echo "$out" | python3 -c '
import json, sys
j = json.load(sys.stdin)
ticks, hz, run, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
rate, p50, p99, errors = j["rejects_per_s"], j["reply_ms"]["p50"], j["reply_ms"]["p99"], j["errors"]
cpu = ticks * 1000 / hz / max(1, j["rejects"])
print(f"run {run} {mode:8} refusals/s {rate:8.1f}  reply p50 {p50:5.1f} ms  p99 {p99:5.1f} ms  errors {errors}"
      f"  CPU per refusal {cpu:.4f} ms")
' $((t1 - t0)) "$(getconf CLK_TCK)" "$r" "$mode"
  done
done
