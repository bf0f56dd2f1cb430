#!/usr/bin/env bash
# latency-bench.sh -- SMTP latency of the whole gateway at fixed offered rates (bench/latency.py), optionally while
# its DNS blocklist never answers.
#
# Starts the local stack on private ports, relaying example.test to latency.py's own sink, warms up, and for each
# rate runs latency.py: end of DATA -> 250 at the client, and end of DATA -> arrival at the sink, p50/p90/p99.
#   -R "250 450"   offered rates, msgs/s (e.g. 50 % and 90 % of the maximum that bench/relay-bench.sh measured)
#   -B             a DNS blocklist zone served by a UDP socket that reads every query and never answers: every
#                  lookup runs into gateway.dnsbl.timeout; the figures show whether replies and verdicts still flow
#   -r runs (default 3; medians are printed), -d seconds per run (default 20), -l bytes (default 2048)
#   -w seconds of warm-up first (default 50, about 40,000 messages at 800 msgs/s: the JIT needs tens of thousands)
#   -W the warm-up's rate, msgs/s (default 800). The measured runs start once every warm-up message has arrived at
#      the sink, so that a machine slower than the warm-up's rate does not carry its backlog into them
# Needs python3, curl and a built project. Numbers, not a test.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RATES="250 450" RUNS=3 DURATION=20 SIZE=2048 BLACKHOLE="" WARM=50 WARM_RATE=800
while getopts "R:r:d:l:w:W:Bh" o; do
  case $o in
    R) RATES=$OPTARG ;; r) RUNS=$OPTARG ;; w) WARM=$OPTARG ;; W) WARM_RATE=$OPTARG ;; d) DURATION=$OPTARG ;;
    l) SIZE=$OPTARG ;; B) BLACKHOLE=1 ;;
    *) sed -n '2,14p' "$0"; exit 2 ;;
  esac
done
BASE_PORT=30500 SINK_PORT=30599 DNS_PORT=30553
source "$ROOT/bench/lib/private-stack.sh"
private_stack_env "$BASE_PORT" "$SINK_PORT" "${GATEWAY_DATA_DIR:-/var/tmp/gateway-latency-bench}"
export GATEWAY_SMTP_MAX_CONNECTIONS_PER_IP=20000 GATEWAY_POLICY_BLOCK_ENABLED=false
DNS_PID=
cleanup() {
  "$ROOT/gateway" down >/dev/null 2>&1 || true
  [[ -n "$DNS_PID" ]] && kill "$DNS_PID" 2>/dev/null
  rm -rf "$GATEWAY_DATA_DIR"
}
trap cleanup EXIT
if [[ -n "$BLACKHOLE" ]]; then
  python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', $DNS_PORT))
n = 0
while True:
    s.recvfrom(4096); n += 1
    open('/tmp/latency-bench.dns-queries', 'w').write(str(n))
" &
  DNS_PID=$!
  export GATEWAY_DNSBL_ZONES="blackhole.test=3" GATEWAY_DNS_SERVERS="127.0.0.1:$DNS_PORT"
fi
rm -rf "$GATEWAY_DATA_DIR"; rm -f /tmp/latency-bench.dns-queries
"$ROOT/gateway" up >/dev/null || { echo "the gateway did not start" >&2; exit 1; }
run() { python3 "$ROOT/bench/latency.py" --port "$GATEWAY_SMTP_PORT" --sink-port "$SINK_PORT" --rate "$1" --duration "$2" --size "$SIZE" "${@:3}"; }
run "$WARM_RATE" "$WARM" --drain 900 > /tmp/latency-bench.warm   # warm-up, until all of it was delivered
echo "# warm-up: $(python3 -c "import json; d = json.load(open('/tmp/latency-bench.warm')); print(f\"{d['accepted']} messages at {d['offered_per_s']}/s, {d['not_delivered']} not delivered\")")"
echo "# $(date -u +%FT%TZ), $(nproc) cores; ${BLACKHOLE:+DNS blocklist that never answers (gateway.dnsbl.timeout each lookup); }$RUNS runs of ${DURATION}s per rate, medians"
printf '%-6s | %-9s | %-9s | %-26s | %-26s | %s\n' rate offered/s accepted "end of DATA -> 250 p50/p99" "-> delivered p50/p99 ms" "not delivered"
median() { sort -g | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
for rate in $RATES; do
  : > /tmp/latency-bench.runs
  for r in $(seq "$RUNS"); do run "$rate" "$DURATION" >> /tmp/latency-bench.runs; done
  col() { python3 -c "
import json, sys
for line in open('/tmp/latency-bench.runs'):
    d = json.loads(line); v = d
    for k in sys.argv[1].split('.'): v = v[k]
    print(v)" "$1" | median; }
  printf '%-6s | %-9s | %-9s | %10s / %-13s | %10s / %-13s | %s\n' "$rate" "$(col offered_per_s)" "$(col accepted)" \
    "$(col accept_ms.p50)" "$(col accept_ms.p99)" "$(col delivery_ms.p50)" "$(col delivery_ms.p99)" "$(col not_delivered)"
  echo "#   runs: $(paste -sd' ' /tmp/latency-bench.runs)"
done
[[ -n "$BLACKHOLE" ]] && echo "# DNS queries the black hole swallowed: $(cat /tmp/latency-bench.dns-queries 2>/dev/null || echo 0)"
curl -s "http://127.0.0.1:$GATEWAY_HTTP_PORT_POLICY_SERVICE/q/metrics" | grep -E '^gateway_policy_(verdicts|dnsbl_lookups)_total' | sed 's/^/# /'
