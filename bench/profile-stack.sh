#!/usr/bin/env bash
# profile-stack.sh -- where the whole stack's CPU goes under a relay load: `perf record -a`, every process.
#
# Starts a private local stack (bench/lib/private-stack.sh) with smtp-sink behind it, warms it up with smtp-source
# in rounds of -w messages until a round's JIT compile time is under 3 % of it per service (stack_warm_until_quiet;
# -w N -1 for exactly one round of N), then keeps the same load running while `perf record -a -g` samples both cores for -t seconds (the
# JVMs' JIT-compiled methods named through `jcmd PID Compiler.perfmap`). It prints:
#   - the stack's CPU per relayed message over the sampled window, by part (bench/lib/stack-cpu.sh), and how many
#     messages queue-service stored with their bytes (decision 0008: a message delivered at once is stored without);
#   - the share of all samples by thread name, by process and by symbol (the load tools' own included);
#   - what writing new file data costs the kernel on this machine just before the stack starts: system CPU
#     milliseconds per MiB for a new 1 GiB file beside the stack's data, and for overwriting it (pages already in
#     the page cache). In this virtual machine a page the page cache has not held for a while costs far more than
#     a page it reuses, and Kafka's log only ever appends (docs/benchmarks.md, "Kafka's share at 64 KiB").
# perf.data and the reports stay in the output directory for `perf report -i DIR/perf.data`.
# Numbers, not a test.
#
# Usage: bench/profile-stack.sh [-s sessions] [-l size | -F message-file] [-w messages a warm-up round [-1]] [-t seconds] [-d]
#                               [-k "KAFKA_MIB POSTGRES_MIB"] [-D seconds] [-n] [-o output-dir]
#   defaults: -s 20 -l 2048 -w 10000 -t 25 -o /var/tmp/gateway-profile; -d reuses connections (smtp-source -d)
#   -1  one warm-up round of -w messages, whether the JIT is quiet after it or not
#   -k  the broker and PostgreSQL under these memory limits, as in their pods ("2048 1024"; bench/lib/pod-memory.sh)
#   -D  a slow next hop: smtp-sink waits this many whole seconds before it answers each DATA (smtp-sink -w)
#   -n  no perf: only the rates, the CPU per message, what was stored with its bytes, the first attempts in
#       flight and waiting (sampled once a second) and the means of queue-service's timers, over the same window
# Needs root, perf (unless -n), Debian's postfix (smtp-source, smtp-sink) and a built project.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SESSIONS=20 SIZE=2048 MESSAGE_FILE="" WARM=10000 ONE_ROUND="" SECONDS_SAMPLED=25 REUSE="" OUT=/var/tmp/gateway-profile POD_MEMORY=""
SINK_DELAY=() PERF=yes
while getopts "s:l:F:w:1t:dk:D:no:" o; do
  case $o in
    s) SESSIONS=$OPTARG ;; l) SIZE=$OPTARG ;; F) MESSAGE_FILE=$OPTARG ;; w) WARM=$OPTARG ;; 1) ONE_ROUND=yes ;; t) SECONDS_SAMPLED=$OPTARG ;;
    d) REUSE=-d ;; k) POD_MEMORY=$OPTARG ;; D) SINK_DELAY=(-w "$OPTARG") ;; n) PERF="" ;; o) OUT=$OPTARG ;;
    *) sed -n '2,26p' "$0"; exit 2 ;;
  esac
done
for b in ${PERF:+perf} jcmd smtp-source smtp-sink; do command -v $b >/dev/null || { echo "missing $b" >&2; exit 2; }; done
if [[ -n "$MESSAGE_FILE" ]]; then
  [[ -r "$MESSAGE_FILE" ]] || { echo "no readable message file $MESSAGE_FILE" >&2; exit 2; }
  CONTENT=(-F "$(realpath "$MESSAGE_FILE")")
else
  CONTENT=(-l "$SIZE")
fi

BASE_PORT=3600 SINK_PORT=3726
source "$ROOT/bench/lib/private-stack.sh"
source "$ROOT/bench/lib/pod-memory.sh"
rm -rf "$OUT"; mkdir -p "$OUT"
private_stack_env "$BASE_PORT" "$SINK_PORT" "$OUT/stack"
# one client address carries the whole load, as in bench/relay-bench.sh (see there why)
export GATEWAY_SMTP_TRUSTED_NETWORKS=192.0.2.1/32 GATEWAY_SMTP_MAX_CONNECTIONS_PER_IP=20000
export GATEWAY_POLICY_BLOCK_ENABLED=false GATEWAY_POLICY_THRESHOLDS_RELAY_ATTEMPTS=1000000

ms_per_mib() { # dd arguments... -> system CPU ms per MiB written
  local t; t=$( { /usr/bin/time -f '%S' dd if=/dev/zero bs=1M count=1024 status=none "$@"; } 2>&1 | tail -1)
  awk -v s="$t" 'BEGIN{printf "%.2f", s * 1000 / 1024}'
}
echo "# $(date -u +%FT%TZ), $(nproc) cores; load: smtp-source -s $SESSIONS ${CONTENT[*]} $REUSE;" \
  "next hop: smtp-sink ${SINK_DELAY[*]:-without delay}; details in $OUT"
echo "# kernel cost of file data beside the stack, system ms per MiB: new file $(ms_per_mib of="$OUT/probe")," \
  "overwritten $(ms_per_mib of="$OUT/probe" conv=notrunc)"
rm -f "$OUT/probe"

SINK_PID="" SOURCE_PID=""
cleanup() {
  [[ -n "$SOURCE_PID" ]] && kill "$SOURCE_PID" 2>/dev/null
  "$ROOT/gateway" down >/dev/null 2>&1
  [[ -n "$SINK_PID" ]] && kill "$SINK_PID" 2>/dev/null
  stack_release_memory
}
trap cleanup EXIT
"$ROOT/gateway" up >"$OUT/up.log" 2>&1 || { echo "the gateway did not start (see $OUT/up.log)" >&2; exit 1; }
source "$ROOT/bench/lib/stack-cpu.sh"
stack_cpu_init "$GATEWAY_DATA_DIR"
[[ -n "$POD_MEMORY" ]] && stack_bound_memory $POD_MEMORY
smtp-sink -c -u nobody -m 1024 "${SINK_DELAY[@]}" 127.0.0.1:$SINK_PORT 1024 >"$OUT/sink.out" 2>&1 &
SINK_PID=$!
delivered() { tr '\r' '\n' <"$OUT/sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -1; }
load() { # messages
  smtp-source -s "$SESSIONS" -m "$1" "${CONTENT[@]}" $REUSE -f sender@client.test -t rcpt@example.test -M client.test \
    127.0.0.1:$((BASE_PORT + 25))
}

# the JIT compilers keep working for tens of thousands of messages (docs/benchmarks.md, "Fifth pass"): a fixed
# warm-up of 30,000 once left a third of a window's samples in C2 on a slow hour
if [[ -n "$ONE_ROUND" ]]; then
  load "$WARM" >"$OUT/warm-up.out" 2>&1
else
  stack_warm_until_quiet load "$WARM" 2>&1 | tee "$OUT/warm-up.out" | tail -1
fi
load 10 >>"$OUT/warm-up.out" 2>&1 || { echo "the stack does not take mail (see $OUT/warm-up.out)" >&2; exit 1; }
load 100000000 >"$OUT/load.out" 2>&1 &
SOURCE_PID=$!
sleep 5 # the load's sessions up to speed
JVMS=$(pgrep -f 'quarkus-run.jar|org.mailgateway.localstack' | paste -sd' ')
[[ -n "$PERF" ]] && for p in $JVMS; do jcmd "$p" Compiler.perfmap >/dev/null 2>&1; done
# queue-service's timers (sum and count): storing a message, a round of first attempts' SMTP transactions, recording
# that round's outcomes; their means over the window say where a message's time in the first-attempt room goes
PHASES=(store 'gateway_queue_store_time_seconds_%s' deliver 'gateway_delivery_first_round_seconds_%s[{]phase="deliver"'
  record 'gateway_delivery_first_round_seconds_%s[{]phase="record"')
phase_marks() { # -> one line per phase: name sum count, from one scrape
  local i m
  m=$(stack_metrics QUEUE_SERVICE)
  for ((i = 0; i < ${#PHASES[@]}; i += 2)); do
    # shellcheck disable=SC2059
    echo "${PHASES[i]} $(metrics_sum "^$(printf "${PHASES[i+1]}" sum)" %.6f <<<"$m")" \
      "$(metrics_sum "^$(printf "${PHASES[i+1]}" count)" <<<"$m")"
  done
}
p0=$(phase_marks)
d0=$(delivered); b0=$(stack_stored_with_bytes); a0=$(stack_accepted); stack_cpu_mark
if [[ -n "$PERF" ]]; then
  perf record -a -g -F 499 -o "$OUT/perf.data" -- sleep "$SECONDS_SAMPLED" 2>"$OUT/perf-record.err"
else # meanwhile the first attempts in flight and waiting for room (decision 0009), once a second
  while sleep 1; do
    m=$(stack_metrics QUEUE_SERVICE) # one scrape a sample: the scrapes cost queue-service CPU in the window
    echo "$(metrics_sum '^gateway_delivery_first_attempts ' <<<"$m")" \
      "$(metrics_sum '^gateway_delivery_first_attempts_waiting ' <<<"$m")"
  done >"$OUT/first-attempts.txt" &
  SAMPLER_PID=$!
  sleep "$SECONDS_SAMPLED"
  kill "$SAMPLER_PID"
fi
d1=$(delivered); parts=$(stack_cpu_since $(( d1 - d0 > 0 ? d1 - d0 : 1 ))); b1=$(stack_stored_with_bytes)
a1=$(stack_accepted); p1=$(phase_marks)
[[ -n "$PERF" ]] && for p in $JVMS; do jcmd "$p" Compiler.perfmap >/dev/null 2>&1; done # compiled in the window
kill "$SOURCE_PID" 2>/dev/null; SOURCE_PID=""

rate() { awk -v n="$1" -v s="$SECONDS_SAMPLED" 'BEGIN{printf "%.1f", n / s}'; }
echo "# sampled ${SECONDS_SAMPLED} s: $(( d1 - d0 )) messages delivered, $(rate $(( d1 - d0 ))) msgs/s;" \
  "$(( a1 - a0 )) accepted, $(rate $(( a1 - a0 ))) msgs/s"
echo "# stack cpu ms/msg: $parts"
# messages whose bytes queue-service stored after all (stored due past the limit of first attempts in flight, or a
# first attempt not delivered within the grace): PostgreSQL then does more, which a comparison should know
echo "# of them stored with their bytes: $(( b1 - b0 ))"
if [[ -z "$PERF" ]]; then
  spread() { sort -n | awk '{v[NR] = $1} END {printf "%d %d %d", v[1], v[int((NR + 1) / 2)], v[NR]}'; }
  echo "# first attempts in flight (recipients), min median max of one sample a second:" \
    "$(cut -d' ' -f1 "$OUT/first-attempts.txt" | spread); waiting for room (messages):" \
    "$(cut -d' ' -f2 "$OUT/first-attempts.txt" | spread)"
  echo "# mean ms of queue-service's timed phases:" $(paste -d' ' <(echo "$p0") <(echo "$p1") \
    | awk '{n = $6 - $3; printf "%s=%s ", $1, (n > 0 ? sprintf("%.1f (%d)", ($5 - $2) * 1000 / n, n) : "-")}')
  exit 0
fi
report() { perf report -i "$OUT/perf.data" --no-children -g none -q "$@" 2>/dev/null | grep -v '^$'; }
report --sort comm >"$OUT/by-thread.txt"; report --sort pid >"$OUT/by-process.txt"
report --sort comm,sym >"$OUT/by-thread-and-symbol.txt"
echo "# share of all samples by thread name (first 15; $OUT/by-thread.txt)"; head -15 "$OUT/by-thread.txt"
echo "# by thread name and symbol (first 25; $OUT/by-thread-and-symbol.txt)"; head -25 "$OUT/by-thread-and-symbol.txt"
