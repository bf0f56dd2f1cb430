#!/usr/bin/env bash
# soak.sh -- the whole local gateway under mixed load for a long while: is anything growing?
#
# Starts ./gateway up on private ports (data in a temporary directory), relays example.test to Postfix's
# smtp-sink, and for DURATION minutes runs at once:
#   clean mail   smtp-source, 2 sessions, 100 messages of 2 KiB per round, from 127.0.0.1 (a trusted sender)
#   GTUBE        swaks from 127.0.6.1, one message a second (quarantined)
#   relay tries  swaks from 127.0.6.2-9, one a second, to a foreign domain (refused; those IPs get blocked)
#   a flood      ../shared/bench/flood.py from 127.0.5.1-50, 5 connections at a time
# Every minute it prints, per process (Kafka and the four services): RSS, JVM heap used (from /q/metrics),
# open file descriptors and threads, one TSV line each; and the messages smtp-sink has counted. For PostgreSQL
# (the postmaster and its backends): their proportional set size (Pss, shared memory counted once), their open
# descriptors, and how many processes they are, in the threads column.
# Stops everything at the end. Needs: postfix (smtp-source, smtp-sink), swaks, python3, curl, a built project.
#
# Usage: bench/soak.sh [-d minutes] [-b base_port]
set -euo pipefail
DURATION=30; BASE_PORT=32000
while getopts "d:b:h" o; do
  case $o in
    d) DURATION=$OPTARG;; b) BASE_PORT=$OPTARG;;
    *) sed -n '2,14p' "$0"; exit 2;;
  esac
done
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/bench/lib/stack-cpu.sh"   # stack_cpu_init, stack_part_pids
FLOOD="$ROOT/../shared/bench/flood.py"
WORK="$(mktemp -d /var/tmp/gw-soak.XXXXXX)"
SINK_PORT=$((BASE_PORT + 99))
export GATEWAY_DATA_DIR="$WORK/data"
export GATEWAY_SMTP_PORT=$((BASE_PORT + 25)) GATEWAY_KAFKA_PORT=$((BASE_PORT + 92)) GATEWAY_KAFKA_CONTROLLER_PORT=$((BASE_PORT + 93))
export GATEWAY_POSTGRES_PORT=$((BASE_PORT + 32)) GATEWAY_HTTP_PORT_ADMIN_API=$((BASE_PORT + 80))
export GATEWAY_HTTP_PORT_SMTP_INGRESS=$((BASE_PORT + 81)) GATEWAY_HTTP_PORT_POLICY_SERVICE=$((BASE_PORT + 82))
export GATEWAY_HTTP_PORT_QUEUE_SERVICE=$((BASE_PORT + 83))
export GATEWAY_SMTP_ACCEPTED_DOMAINS=example.test GATEWAY_SMTP_TRUSTED_NETWORKS=127.0.0.1/32
export GATEWAY_DELIVERY_ROUTES="*=[127.0.0.1]:$SINK_PORT"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  "$ROOT/gateway" down >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
sink_count() { tail -c 300 "$WORK/sink.out" 2>/dev/null | tr '\r' '\n' | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2 || true; }
until_end() { [[ $(date +%s) -lt $END ]]; }

smtp-sink -c -u nobody -m 1024 127.0.0.1:"$SINK_PORT" 1024 > "$WORK/sink.out" 2>&1 &
PIDS+=($!)
log "starting the gateway"
"$ROOT/gateway" up >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log" >&2; exit 1; }
ENV="$GATEWAY_DATA_DIR/run/stack.env"
stack_cpu_init "$GATEWAY_DATA_DIR"
declare -A PID HTTP
for s in KAFKA SMTP_INGRESS POLICY_SERVICE QUEUE_SERVICE ADMIN_API; do
  PID[$s]=$(sed -n "s/^PID_$s=//p" "$ENV")
  HTTP[$s]=$(sed -n "s/^HTTP_$s=//p" "$ENV")
done
END=$(( $(date +%s) + DURATION * 60 ))
GTUBE='XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X'

( while until_end; do smtp-source -s 2 -m 100 -l 2048 -f a@example.org -t b@example.test "127.0.0.1:$GATEWAY_SMTP_PORT" || true; done ) &
PIDS+=($!)
( while until_end; do swaks -q --server "127.0.0.1:$GATEWAY_SMTP_PORT" --local-interface 127.0.6.1 --h-Subject spam \
    --from x@example.org --to b@example.test --body "$GTUBE" >/dev/null 2>&1 || true; sleep 1; done ) &
PIDS+=($!)
( i=2; while until_end; do swaks -q --server "127.0.0.1:$GATEWAY_SMTP_PORT" --local-interface "127.0.6.$i" \
    --from x@example.org --to victim@elsewhere.test >/dev/null 2>&1 || true; i=$(( i % 8 + 2 )); sleep 1; done ) &
PIDS+=($!)
python3 "$FLOOD" -p "$GATEWAY_SMTP_PORT" --src 127.0.5.1-50 -c 5 -d $(( DURATION * 60 )) > "$WORK/flood.json" 2>&1 &
FLOOD_PID=$!
PIDS+=($FLOOD_PID)

printf 'minute\tprocess\trss_mib\theap_mib\tfds\tthreads\tsink_messages\n'
minute=0
fds_of() { ls "/proc/$1/fd" 2>/dev/null | wc -l; } # pid -> open descriptors
row() { printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\n' "$minute" "$@" "$(sink_count)"; } # process rss heap fds threads
while until_end; do
  for s in KAFKA SMTP_INGRESS POLICY_SERVICE QUEUE_SERVICE ADMIN_API; do
    p=${PID[$s]}
    rss=$(awk '/^VmRSS/ {printf "%.0f", $2/1024}' "/proc/$p/status" 2>/dev/null || echo -)
    fds=$(fds_of "$p")
    threads=$(awk '/^Threads/ {print $2}' "/proc/$p/status" 2>/dev/null || echo -)
    heap=-
    if [[ -n "${HTTP[$s]}" ]]; then
      heap=$(curl -s "${HTTP[$s]}/q/metrics" | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {sum += $NF} END {printf "%.0f", sum/1048576}')
    fi
    row "$s" "$rss" "$heap" "$fds" "$threads"
  done
  pg_all=($(stack_part_pids postgres || true)) # none while PostgreSQL is not up
  if [[ ${#pg_all[@]} -gt 0 ]]; then
    pss_kib=0 fds=0
    for p in "${pg_all[@]}"; do
      pss_kib=$((pss_kib + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)))
      fds=$((fds + $(fds_of "$p")))
    done
    pss=$((pss_kib / 1024))
    row POSTGRES "$pss" - "$fds" "${#pg_all[@]}"
  fi
  sleep 60
  minute=$((minute + 1))
done
wait "$FLOOD_PID" || true # it started after END was set, so it may end a little after the last sample
log "flood: $(tail -c 400 "$WORK/flood.json" | tr '\n' ' ')"
