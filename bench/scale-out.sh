#!/usr/bin/env bash
# scale-out.sh -- accepted and end-to-end messages per second of the local gateway with N instances per service.
#
# Starts ./gateway up --scale ingress=N,policy=N,queue=N on private ports (data in a temporary directory),
# relays example.test to Postfix's smtp-sink, drives every ingress instance with its share of smtp-source
# sessions and messages at the same time, and prints one TSV line:
#   instances  messages  sessions  size  accept_s  accepted_per_s  e2e_s  e2e_per_s
# accept_s: until every smtp-source got its last 250; e2e_s: until smtp-sink counted every message.
# Then, on stderr, the CPU time each part of the stack used from the first message to the last delivery, in
# milliseconds per relayed message (utime+stime from /proc, threads included; PostgreSQL is the postmaster and
# its backends; smtp-source and smtp-sink are not counted).
# -w N sends N messages per ingress first (default 5), so that JIT compilation is not in the figures.
# -d reuses connections (smtp-source -d). -j DIR records a JFR profile of every service during the run into DIR.
# Stops everything at the end. Needs: postfix (smtp-source, smtp-sink), curl, a built project.
#
# Usage: bench/scale-out.sh [-n instances] [-m messages] [-s sessions] [-l bytes] [-b base_port] [-w warm-up] [-d] [-j dir]
set -euo pipefail
N=1; MESSAGES=2000; SESSIONS=20; SIZE=2048; BASE_PORT=31000; REUSE=""; JFR_DIR=""; WARM=5
while getopts "n:m:s:l:b:dj:w:h" o; do
  case $o in
    n) N=$OPTARG;; m) MESSAGES=$OPTARG;; s) SESSIONS=$OPTARG;; l) SIZE=$OPTARG;; b) BASE_PORT=$OPTARG;;
    d) REUSE=-d;; w) WARM=$OPTARG;; j) JFR_DIR=$(mkdir -p "$OPTARG" && cd "$OPTARG" && pwd);;
    *) sed -n '2,18p' "$0"; exit 2;;
  esac
done
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d /var/tmp/gw-scale.XXXXXX)"
SINK_PORT=$((BASE_PORT + 99))
source "$ROOT/bench/lib/private-stack.sh"
private_stack_env "$BASE_PORT" "$SINK_PORT" "$WORK/data"
SINK_PID=
cleanup() {
  "$ROOT/gateway" down >/dev/null 2>&1 || true
  [[ -n "$SINK_PID" ]] && { kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
sink_count() { tail -c 300 "$WORK/sink.out" 2>/dev/null | tr '\r' '\n' | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2 || true; }

smtp-sink -c -u nobody -m 1024 127.0.0.1:"$SINK_PORT" 1024 > "$WORK/sink.out" 2>&1 &
SINK_PID=$!
log "starting the gateway with $N instance(s) of ingress, policy and queue"
"$ROOT/gateway" up --scale "ingress=$N,policy=$N,queue=$N" >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log" >&2; exit 1; }
mapfile -t PORTS < <(sed -n 's/^SMTP\(_[0-9]*\)\{0,1\}=127.0.0.1://p' "$GATEWAY_DATA_DIR/run/stack.env")
(( ${#PORTS[@]} == N )) || { log "expected $N SMTP ports, got ${PORTS[*]}"; exit 1; }

# warm-up: messages through every ingress, so that connections (and with -w, JIT) are not in the figure
for p in "${PORTS[@]}"; do smtp-source -s "$(( WARM < SESSIONS ? 1 : SESSIONS / N ))" -m "$WARM" -l "$SIZE" -f a@example.org -t b@example.test "127.0.0.1:$p"; done
until [[ "$(sink_count)" -ge $((WARM * N)) ]]; do sleep 0.2; done
before=$(sink_count)

# CPU accounting of every part of the stack (bench/lib/stack-cpu.sh)
source "$ROOT/bench/lib/stack-cpu.sh"
stack_cpu_init "$GATEWAY_DATA_DIR"
if [[ -n "$JFR_DIR" ]]; then
  for k in SMTP_INGRESS POLICY_SERVICE QUEUE_SERVICE; do
    for pid in ${STACK_PARTS[$k]}; do jcmd "$pid" JFR.start name=bench settings=profile >/dev/null; done
  done
fi
stack_cpu_mark

log "sending $MESSAGES messages of $SIZE bytes in $SESSIONS sessions over ${PORTS[*]}"
start=$EPOCHREALTIME
pids=()
for p in "${PORTS[@]}"; do
  smtp-source -s $((SESSIONS / N)) -m $((MESSAGES / N)) -l "$SIZE" $REUSE -f a@example.org -t b@example.test "127.0.0.1:$p" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
accepted=$EPOCHREALTIME
want=$((before + MESSAGES / N * N))
last=$(sink_count); still=0
until [[ "$(sink_count)" -ge $want ]]; do
  sleep 0.2
  now=$(sink_count)
  if [[ "$now" == "$last" ]]; then still=$((still + 1)); else still=0; last=$now; fi
  (( still < 600 )) || { log "the sink stalled at $now of $want"; exit 1; }
done
done_at=$EPOCHREALTIME
echo "# cpu ms/msg: $(stack_cpu_since "$MESSAGES")" >&2
if [[ -n "$JFR_DIR" ]]; then
  for k in SMTP_INGRESS POLICY_SERVICE QUEUE_SERVICE; do
    for pid in ${STACK_PARTS[$k]}; do jcmd "$pid" JFR.dump name=bench filename="$JFR_DIR/${k,,}-$pid.jfr" >/dev/null; done
  done
  log "profiles in $JFR_DIR"
fi
awk -v n="$N" -v m=$((MESSAGES / N * N)) -v s="$SESSIONS" -v l="$SIZE" -v a0="$start" -v a1="$accepted" -v e1="$done_at" \
  'BEGIN { a = a1 - a0; e = e1 - a0; printf "%d\t%d\t%d\t%d\t%.1f\t%.0f\t%.1f\t%.0f\n", n, m, s, l, a, m / a, e, m / e }'
