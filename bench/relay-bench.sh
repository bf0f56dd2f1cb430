#!/usr/bin/env bash
# relay-bench.sh -- the whole gateway against Postfix and Haraka as inbound relays, on this machine, in one sitting.
#
# For every message size and session count it runs, alternating run by run:
#   postfix   ../shared/bench/postfix-relay.sh -M relay      Postfix smtpd -> fsync'ed queue -> relay -> smtp-sink
#   haraka    ../shared/bench/haraka-relay.sh                 Haraka, relaying while the client waits (no queue)
#   gateway   ../shared/bench/postfix-relay.sh -M external    smtp-source -> ingress -> Kafka -> policy -> Kafka
#             -> queue (PostgreSQL) -> smtp-sink: the whole local stack as ./gateway up starts it, all on the same cores
# All three are driven by the same smtp-source command and counted by the same smtp-sink. It prints, per load, the
# medians of accepted and end-to-end messages per second, the ratios of the gateway to each peer, and CPU
# milliseconds per relayed message: the peer's whole process tree, and for the gateway every part of the stack
# (the four services, Kafka, PostgreSQL; see bench/lib/stack-cpu.sh), and in brackets the gateway's without the
# threads of its JIT compilers, which a stack that has run for long has mostly behind it. Numbers, not a test.
#
# Usage: bench/relay-bench.sh [-r runs] [-s "20 100"] [-l "2048 65536" | -F message-file] [-m messages] [-d]
#                             [-p "postfix haraka gateway"] [-w quiet|messages] [-k "KAFKA_MIB POSTGRES_MIB"]
#   -d  reuse connections (smtp-source -d); default one connection per message, as an MX mostly sees
#   -m  messages per run (default 3000 for small messages, 600 above 10 kB)
#   -F  send this file (header and body, e.g. from bench/mime-message.py) as every message, to every peer, instead
#       of smtp-source's filler, which compresses about a hundredfold (bench/lib/message-file/smtp-source); the
#       size column then gives the file's size and -l is not used
#   -w  messages sent through the gateway before the first measured run; default "quiet": rounds (10,000 messages
#       of each size below 10 kB, 2,000 of each above, at each session count, reusing connections with -d) until
#       the services' JIT compilers have gone quiet
#       (bench/lib/stack-cpu.sh). The JIT keeps compiling, and the CPU per message keeps falling, for tens of
#       thousands of messages; see docs/benchmarks.md
#   -k  the gateway's Kafka broker and PostgreSQL under these memory limits, page cache included, as their pods have
#       them ("2048 1024", deploy/k8s/base); without it they grow the page cache into free memory, which this
#       virtual machine makes dear (bench/lib/pod-memory.sh). Postfix's queue files are deleted after delivery, so
#       it reuses its pages either way
# Needs root, Debian's postfix (smtp-source, smtp-sink), swaks, nodejs and npm (Haraka is installed from npm once,
# into /var/tmp/haraka-bench), and a built project.
# The stack's PostgreSQL is the local stack's embedded one (its stored bytes compressed with pglz) unless
# GATEWAY_POSTGRES_BINARIES names a PostgreSQL with lz4, as production's is (e.g. /usr/lib/postgresql/15/bin);
# the first line printed says which compression the stored bytes got. docs/benchmarks.md has both.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SHARED_BENCH:-$ROOT/../shared/bench}"
RUNS=3 SESSIONS_LIST="20 100" SIZES="2048 65536" MESSAGES="" REUSE="" PEERS="postfix haraka gateway" WARM=quiet
MESSAGE_FILE="" POD_MEMORY=""
while getopts "r:s:l:F:m:dp:w:k:h" o; do
  case $o in
    r) RUNS=$OPTARG ;; s) SESSIONS_LIST=$OPTARG ;; l) SIZES=$OPTARG ;; F) MESSAGE_FILE=$OPTARG ;; m) MESSAGES=$OPTARG ;;
    d) REUSE=-d ;; p) PEERS=$OPTARG ;; w) WARM=$OPTARG ;; k) POD_MEMORY=$OPTARG ;;
    *) sed -n '2,35p' "$0"; exit 2 ;;
  esac
done
if [[ -n "$MESSAGE_FILE" ]]; then
  [[ -r "$MESSAGE_FILE" ]] || { echo "no readable message file $MESSAGE_FILE" >&2; exit 2; }
  export GATEWAY_BENCH_MESSAGE_FILE
  GATEWAY_BENCH_MESSAGE_FILE="$(realpath "$MESSAGE_FILE")"
  export PATH="$ROOT/bench/lib/message-file:$PATH"
  SIZES=$(stat -c %s "$MESSAGE_FILE")
fi
[[ -f "$SHARED/postfix-relay.sh" && -f "$SHARED/haraka-relay.sh" ]] || { echo "peer scripts not found in $SHARED" >&2; exit 2; }

GW_PORT=2625 SINK_PORT=2626 PF_PORT=2627 HK_PORT=2629
export GATEWAY_DATA_DIR="${GATEWAY_DATA_DIR:-/var/tmp/gateway-relay-bench}"
export GATEWAY_SMTP_PORT=$GW_PORT GATEWAY_KAFKA_PORT=29092 GATEWAY_KAFKA_CONTROLLER_PORT=29093 GATEWAY_POSTGRES_PORT=25432
export GATEWAY_HTTP_PORT_ADMIN_API=28080 GATEWAY_HTTP_PORT_SMTP_INGRESS=28081 GATEWAY_HTTP_PORT_POLICY_SERVICE=28082
export GATEWAY_HTTP_PORT_QUEUE_SERVICE=28083
export GATEWAY_DELIVERY_ROUTES="*=[127.0.0.1]:$SINK_PORT" GATEWAY_SMTP_ACCEPTED_DOMAINS=example.test
# smtp-source connects from 127.0.0.1, an untrusted internet client here as for both peers (each refuses it
# relaying, which the peer script checks with swaks before every run). That one address is the whole load: the
# per-IP connection limit is raised for it, the automatic blocks those relay probes and the load's session counts
# would earn it are off, and so is the RELAY_ATTEMPTS score (with the probes' attempts in its window, each message
# would score RELAY_ATTEMPTS + MESSAGE_RATE and be quarantined, as mail from a real relay prober should). The
# rules still run and score every message.
export GATEWAY_SMTP_TRUSTED_NETWORKS=192.0.2.1/32 GATEWAY_SMTP_MAX_CONNECTIONS_PER_IP=20000
export GATEWAY_POLICY_BLOCK_ENABLED=false GATEWAY_POLICY_THRESHOLDS_RELAY_ATTEMPTS=1000000

rm -rf "$GATEWAY_DATA_DIR"
source "$ROOT/bench/lib/pod-memory.sh"
trap '"$ROOT/gateway" down >/dev/null 2>&1 || true; stack_release_memory' EXIT
"$ROOT/gateway" up >/dev/null || { echo "the gateway did not start" >&2; exit 1; }
source "$ROOT/bench/lib/stack-cpu.sh"
stack_cpu_init "$GATEWAY_DATA_DIR"
LOG=/tmp/relay-bench-$(date -u +%Y%m%dT%H%M%SZ).log # one per sitting: the per-part figures of earlier ones stay
[[ -n "$POD_MEMORY" ]] && stack_bound_memory $POD_MEMORY | tee -a "$LOG"
echo "# $(date -u +%FT%TZ), $(nproc) cores; runs alternate ${PEERS// /\/}; messages: ${GATEWAY_BENCH_MESSAGE_FILE:-the filler of smtp-source -l}; gateway warmed up $([[ $WARM == quiet ]] && echo "until its JIT went quiet" || echo "with $WARM messages"); $(stack_store_compression); details in $LOG"

# warm-up (JIT, connections): not measured
warm_round() { # one round: every measured load (64 KiB messages, and 100 sessions, take paths and compilations of their own)
  local size sessions
  for size in $SIZES; do
    for sessions in $SESSIONS_LIST; do
      bash "$SHARED/postfix-relay.sh" -M external -p $GW_PORT -P $SINK_PORT -s "$sessions" -m $(( size > 10000 ? 2000 : 10000 )) \
        -l "$size" -r 1 $REUSE
    done
  done
}
if [[ " $PEERS " == *" gateway "* && $WARM == quiet ]]; then
  stack_warm_until_quiet warm_round 2>&1 | tee -a "$LOG"
elif [[ " $PEERS " == *" gateway "* ]]; then
  bash "$SHARED/postfix-relay.sh" -M external -p $GW_PORT -P $SINK_PORT -s 20 -m "$WARM" -r 1 >>"$LOG" 2>&1
fi

median() { sort -g | awk '{a[NR]=$1} END{if (NR == 0) print "nan"; else print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
# columns of the peer scripts' result line: 6 accepted msgs/s, 7 end-to-end msgs/s, 3 relayed, 13 CPU ms/msg
result() { awk -F'\t' '$1 ~ /^[0-9]+$/ {print $6, $7, $3, $13}' | tail -1; }

one_run() { # peer sessions messages size -> "accepted e2e cpu_ms_per_msg" (nothing when the run failed); for the
  # gateway a fourth figure: the CPU per message without its JIT compilers' threads, which a long-running stack has
  # mostly behind it (at 64 KiB they still compile after 150,000 messages; docs/benchmarks.md)
  local out
  case $1 in
    postfix) out=$(bash "$SHARED/postfix-relay.sh" -M relay -p $PF_PORT -P $SINK_PORT -s "$2" -m "$3" -l "$4" -r 1 $REUSE 2>>"$LOG" | result) ;;
    haraka) out=$(bash "$SHARED/haraka-relay.sh" -p $HK_PORT -P $SINK_PORT -s "$2" -m "$3" -l "$4" -r 1 $REUSE 2>>"$LOG" | result) ;;
    gateway)
      stack_cpu_mark; local jit parts stored; jit=$(stack_jit_seconds) stored=$(stack_stored_with_bytes)
      out=$(bash "$SHARED/postfix-relay.sh" -M external -p $GW_PORT -P $SINK_PORT -s "$2" -m "$3" -l "$4" -r 1 $REUSE 2>>"$LOG" | result)
      [[ -n "$out" ]] && { # the stack's CPU is read once, for the log's parts and the table's two figures
        parts=$(stack_cpu_since "$(awk '{print ($3 > 0 ? $3 : 1)}' <<<"$out")")
        echo "#   gateway cpu ms/msg: $parts jit-s=$(awk -v a="$jit" -v b="$(stack_jit_seconds)" 'BEGIN{printf "%.1f", b - a}')" \
          "stored-with-bytes=$(( $(stack_stored_with_bytes) - stored ))" >>"$LOG"
        out="$(cut -d' ' -f1-3 <<<"$out") $(tr ' ' '\n' <<<"$parts" | awk -F= '$1 == "total" {t = $2} $1 == "compilers" {c = $2}
          END {printf "%.2f %.2f", t, t - c}')"; } ;;
  esac
  [[ -n "$out" ]] && echo "$(cut -d' ' -f1,2 <<<"$out") $(cut -d' ' -f4- <<<"$out")"
}

printf '%-6s %-4s %-5s | %-17s | %-17s | %-17s | %-13s | %-13s | %s\n' size sess msgs "postfix acc/e2e" "haraka acc/e2e" \
  "gateway acc/e2e" "gw/pf acc,e2e" "gw/hk acc,e2e" "cpu ms/msg pf hk gw (gw without JIT)"
for size in $SIZES; do
  for sessions in $SESSIONS_LIST; do
    msgs=${MESSAGES:-$(( size > 10000 ? 600 : 3000 ))}
    declare -A R=()
    for run in $(seq "$RUNS"); do
      for peer in $PEERS; do
        for attempt in 1 2; do # the peer scripts' checks before a run fail now and then on their own: once more
          started=$(date -u +%T)
          line=$(one_run "$peer" "$sessions" "$msgs" "$size")
          echo "# $size $sessions $msgs run $run $peer ($started-$(date -u +%T) UTC): ${line:-failed (see $LOG)}" >>"$LOG"
          [[ -n "$line" ]] && break
        done
        [[ -n "$line" ]] && R[$peer]+="$line"$'\n'
      done
    done
    col() { printf '%s' "${R[$1]:-}" | awk -v c="$2" 'NF {print $c}' | median; }
    ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b + 0 > 0 && a != "nan") printf "%.2f", a / b; else printf "-" }'; }
    pa=$(col postfix 1) pe=$(col postfix 2) ha=$(col haraka 1) he=$(col haraka 2) ga=$(col gateway 1) ge=$(col gateway 2)
    printf '%-6s %-4s %-5s | %7s / %-7s | %7s / %-7s | %7s / %-7s | %5s, %-5s | %5s, %-5s | %s %s %s (%s)\n' "$size" "$sessions" "$msgs" \
      "$pa" "$pe" "$ha" "$he" "$ga" "$ge" "$(ratio "$ga" "$pa")" "$(ratio "$ge" "$pe")" "$(ratio "$ga" "$ha")" "$(ratio "$ge" "$he")" \
      "$(col postfix 3)" "$(col haraka 3)" "$(col gateway 3)" "$(col gateway 4)"
    for peer in $PEERS; do
      echo "#   $peer runs (acc e2e cpu$([[ $peer == gateway ]] && echo " cpu-without-JIT")): $(printf '%s' "${R[$peer]:-}" | paste -sd';')"
    done
  done
done
