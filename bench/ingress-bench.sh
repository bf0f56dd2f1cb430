#!/usr/bin/env bash
# ingress-bench.sh -- accepted messages per second: the gateway's SMTP ingress (each 250 after Kafka
# acknowledged the message) against a Postfix relay gateway, on this machine, in one sitting.
#
# For every message size and session count it alternates, run by run:
#   postfix   ../shared/bench/postfix-relay.sh -M relay      (Postfix smtpd -> queue -> relay -> smtp-sink)
#   gateway   ../shared/bench/postfix-relay.sh -M external   (smtp-source -> our ingress -> Kafka -> policy
#             -> queue -> smtp-sink), the whole local stack running as ./gateway up starts it
# and prints the medians and the ratio. Both are driven by the same smtp-source command, so both figures
# come from the same tool. Numbers, not a test: nothing here passes or fails.
#
# Usage: bench/ingress-bench.sh [-r runs] [-s "20 100"] [-l "2048 65536"] [-m messages] [-d]
#   -d  reuse connections (smtp-source -d); default one connection per message, as an MX mostly sees
# Needs root, Debian's postfix (smtp-source, smtp-sink) and swaks; see ../shared/bench/README.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PEER="${PEER:-$ROOT/../shared/bench/postfix-relay.sh}"
RUNS=3 SESSIONS_LIST="20 100" SIZES="2048 65536" MESSAGES="" REUSE=""
while getopts "r:s:l:m:dh" o; do
  case $o in
    r) RUNS=$OPTARG ;; s) SESSIONS_LIST=$OPTARG ;; l) SIZES=$OPTARG ;; m) MESSAGES=$OPTARG ;; d) REUSE=-d ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
  esac
done
[[ -x "$PEER" || -f "$PEER" ]] || { echo "peer script not found: $PEER" >&2; exit 2; }

GW_PORT=2625 SINK_PORT=2626 PF_PORT=2627
export GATEWAY_DATA_DIR="${GATEWAY_DATA_DIR:-/var/tmp/gateway-bench}"
export GATEWAY_SMTP_PORT=$GW_PORT GATEWAY_KAFKA_PORT=29092 GATEWAY_KAFKA_CONTROLLER_PORT=29093 GATEWAY_POSTGRES_PORT=25432
export GATEWAY_HTTP_PORT_ADMIN_API=28080 GATEWAY_HTTP_PORT_SMTP_INGRESS=28081 GATEWAY_HTTP_PORT_POLICY_SERVICE=28082
export GATEWAY_HTTP_PORT_QUEUE_SERVICE=28083
ALONE_SINK_PORT=2628
export GATEWAY_DELIVERY_ROUTES="alone.test=[127.0.0.1]:$ALONE_SINK_PORT,*=[127.0.0.1]:$SINK_PORT"
export GATEWAY_SMTP_ACCEPTED_DOMAINS=example.test,alone.test
# smtp-source connects from 127.0.0.1: an untrusted internet client here, as it is for the Postfix peer (which
# refuses it relaying); one address is the whole load, so the per-IP limit is raised for it
export GATEWAY_SMTP_TRUSTED_NETWORKS=192.0.2.1/32 GATEWAY_SMTP_MAX_CONNECTIONS_PER_IP=20000
# the peer script's relay probes come from the same address: without these, that address is quarantined
# (RELAY_ATTEMPTS + MESSAGE_RATE) and later blocked, and the runs after the first measure that (see relay-bench.sh)
export GATEWAY_POLICY_BLOCK_ENABLED=false GATEWAY_POLICY_THRESHOLDS_RELAY_ATTEMPTS=1000000

rm -rf "$GATEWAY_DATA_DIR"
trap 'kill -CONT ${OTHERS:-} 2>/dev/null; kill ${ALONE_SINK:-} 2>/dev/null; "$ROOT/gateway" down >/dev/null 2>&1 || true' EXIT
"$ROOT/gateway" up >/dev/null
INGRESS_PID=$(pgrep -f "$ROOT/smtp-ingress/target/quarkus-app/quarkus-run.jar" | head -1)
echo "# gateway up: ingress pid $INGRESS_PID; $(nproc) cores; $(date -u +%FT%TZ); runs alternate postfix/gateway"

OTHERS=$(for m in policy-service queue-service admin-api; do pgrep -f "$ROOT/$m/target/quarkus-app/quarkus-run.jar"; done | tr '\n' ' ')
# The ingress alone (with Kafka): policy, queue and admin-api paused (SIGSTOP) while smtp-source runs, so that
# the figure is what one ingress accepts when the rest of the pipeline is on other machines. These messages go
# to alone.test, delivered to a sink of their own, and the next run starts only when all of them arrived, so
# that no backlog of ours runs into the next Postfix run.
smtp-sink -c -u nobody 127.0.0.1:$ALONE_SINK_PORT 1000 > /tmp/ingress-bench.alone-sink 2>&1 &
ALONE_SINK=$!
ALONE_SENT=0
alone_received() { tr '\r' '\n' < /tmp/ingress-bench.alone-sink | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2; }
ingress_only() {  # sessions messages size -> accepted msgs/s
  local t0 t1 deadline
  kill -STOP $OTHERS
  t0=$EPOCHREALTIME
  smtp-source -s "$1" -m "$2" -l "$3" $REUSE -f bench@example.org -t sink@alone.test 127.0.0.1:$GW_PORT >/dev/null
  t1=$EPOCHREALTIME
  kill -CONT $OTHERS
  awk -v m="$2" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f\n", m/(b-a)}'
  ALONE_SENT=$((ALONE_SENT + $2))
  deadline=$((SECONDS + 600))
  while [ "$(alone_received)" != "$ALONE_SENT" ] && [ $SECONDS -lt $deadline ]; do sleep 1; done
}

LOG=/tmp/ingress-bench.log; : > "$LOG"
median() { sort -g | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
# column 6 of the peer script's result line: ingress (accepted) msgs/s; 7: end-to-end msgs/s; 13: gw CPU ms/msg
result_line() { awk -F'\t' '$1 ~ /^[0-9]+$/ {print $6, $7, $13}' | tail -1; }

printf '%-6s %-8s %-9s | %-22s | %-22s | %-16s | %-12s | %s\n' size sessions messages "postfix acc / e2e" \
  "gateway acc / e2e" "ratio acc (e2e)" "ingress alone" "ratio alone"
for size in $SIZES; do
  for sessions in $SESSIONS_LIST; do
    msgs=${MESSAGES:-$(( size > 10000 ? 600 : 3000 ))}
    : > /tmp/ingress-bench.pf; : > /tmp/ingress-bench.gw; : > /tmp/ingress-bench.alone
    for run in $(seq "$RUNS"); do
      bash "$PEER" -M relay -p $PF_PORT -P $SINK_PORT -s "$sessions" -m "$msgs" -l "$size" -r 1 $REUSE 2>>"$LOG" \
        | result_line >> /tmp/ingress-bench.pf
      GW_PID=$INGRESS_PID bash "$PEER" -M external -p $GW_PORT -P $SINK_PORT -s "$sessions" -m "$msgs" -l "$size" -r 1 $REUSE \
        2>>"$LOG" | result_line >> /tmp/ingress-bench.gw
      ingress_only "$sessions" "$msgs" "$size" >> /tmp/ingress-bench.alone
    done
    pa=$(cut -d' ' -f1 /tmp/ingress-bench.pf | median); pe=$(cut -d' ' -f2 /tmp/ingress-bench.pf | median)
    ga=$(cut -d' ' -f1 /tmp/ingress-bench.gw | median); ge=$(cut -d' ' -f2 /tmp/ingress-bench.gw | median)
    al=$(median < /tmp/ingress-bench.alone)
    printf '%-6s %-8s %-9s | %8.1f / %-11.1f | %8.1f / %-11.1f | %5.2fx (%5.2fx) | %12.1f | %.2fx\n' "$size" "$sessions" \
      "$msgs" "$pa" "$pe" "$ga" "$ge" "$(echo "$ga / $pa" | bc -l)" "$(echo "$ge / $pe" | bc -l)" "$al" "$(echo "$al / $pa" | bc -l)"
    echo "#   runs postfix (acc e2e cpu_ms/msg): $(tr '\n' ';' < /tmp/ingress-bench.pf)  gateway: $(tr '\n' ';' < /tmp/ingress-bench.gw)  alone: $(tr '\n' ';' < /tmp/ingress-bench.alone)"
  done
done

echo
echo "# idle sessions held by the one ingress (bench/idle-sessions.py): resident memory and heap in use"
/usr/bin/python3 "$ROOT/bench/idle-sessions.py" --port $GW_PORT --pid "$INGRESS_PID" \
  --metrics "http://127.0.0.1:$GATEWAY_HTTP_PORT_SMTP_INGRESS/q/metrics" -n 1000 10000
