#!/usr/bin/env bash
# flood-bench.sh -- legitimate mail through the whole gateway while blocked addresses flood its SMTP port.
#
# Starts the local stack on private ports, blocks 127.0.5.0/24 through the admin API (as an operator would; the
# ingress refuses those clients at connect with 554), warms up, then for each flood concurrency, run by run:
#   alone   K separate `smtp-source -s 1` processes from 127.0.0.1 send M messages each (2 KiB, one connection
#           per message); end-to-end msgs/s until smtp-sink counted every one
#   flood   the same, while ../shared/bench/flood.py -c C connects from 127.0.5.1-200 as fast as it can
# and prints the legitimate end-to-end rates, their ratio, and the flood's connections and rejects per second with
# the time-to-reply percentiles of the refused connections. Numbers, not a test.
# With -W S each legitimate process waits S seconds between its messages (smtp-source -w), so the legitimate load
# is a fixed offered rate (about K / S msgs/s) instead of as much as the machine can take: the question is then
# whether the flood keeps that mail from flowing, not how the two share saturated cores. The warm-up is unpaced, with
# a flood of the first concurrency beside it.
# The ratio is the median of each run's during/alone. "tool cores" is the CPU the flood tool itself used during
# the flood (all its processes), "stack cores" that of the whole gateway: on a machine whose legitimate load alone
# keeps every core busy, the flood tool's share is CPU that legitimate mail cannot have, whatever the gateway does.
# -F drop|reject also loads the admin API's firewall export (format=nftables) into the kernel, with a chain that
# drops the blocked addresses' SYNs to the SMTP port, or answers them with a TCP reset: the flood then never reaches
# the gateway, and the tool counts TIMEOUT or ECONNREFUSED instead of 554s (its "rejects/s" count only replies).
# The table (inet mailgateway) is deleted at the end.
# -p "postfix gateway" runs every load against Postfix as well, in the same sitting, alternating run by run: a private
# Postfix with postscreen in front of smtpd refusing the same blocked addresses (bench/lib/postfix-postscreen.sh),
# relaying to the same sink. Its "stack cores" are its whole process tree. -F applies to the gateway's port only.
# -p may also name gateway-nice: the same stack, with its back end (policy-service, queue-service, admin-api and
# PostgreSQL: the work after the 250) at nice -B (default 10) for that peer's runs and back at 0 after them, so that
# the SMTP ingress and Kafka (the path to a reply) get the stack's share of the cores first.
#
# Usage: bench/flood-bench.sh [-c "50 200"] [-r runs] [-k processes] [-m messages_per_process] [-P flood_processes]
#                             [-w quiet|warm-up rounds of the legitimate load] [-F drop|reject] [-W seconds]
#                             [-p "postfix gateway gateway-nice"] [-B nice]
#   -w  default "quiet": rounds of the legitimate load (and a flood) until the services' JIT compilers have gone quiet
#       (bench/lib/stack-cpu.sh; it takes tens of thousands of messages, see docs/benchmarks.md)
#   -W  whole seconds each legitimate process waits between its messages (smtp-source -w); default: no wait
#   -p  the gateways under test, in the order each run takes them; default "gateway"
# Needs root, Debian's postfix (smtp-source, smtp-sink), python3, curl and a built project; -F also nftables.
# The stack's PostgreSQL is the local stack's embedded one (its stored bytes compressed with pglz) unless
# GATEWAY_POSTGRES_BINARIES names a PostgreSQL with lz4, as production's is (e.g. /usr/lib/postgresql/15/bin);
# the first line printed says which compression the stored bytes got. docs/benchmarks.md has both.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FLOOD="${FLOOD:-$ROOT/../shared/bench/flood.py}"
CONCURRENCY="50 200" RUNS=3 PROCS=20 PER_PROC=400 FLOOD_PROCS=2 WARM=quiet FIREWALL= PACE= PEERS=gateway BG_NICE=10
while getopts "c:r:k:m:P:w:F:W:p:B:h" o; do
  case $o in
    c) CONCURRENCY=$OPTARG ;; r) RUNS=$OPTARG ;; k) PROCS=$OPTARG ;; m) PER_PROC=$OPTARG ;; P) FLOOD_PROCS=$OPTARG ;;
    w) WARM=$OPTARG ;; F) FIREWALL=$OPTARG ;; W) PACE=$OPTARG ;; p) PEERS=$OPTARG ;; B) BG_NICE=$OPTARG ;; *) sed -n '2,39p' "$0"; exit 2 ;;
  esac
done
case "$FIREWALL" in
  "") ;; drop) VERDICT=drop ;; reject) VERDICT="reject with tcp reset" ;;
  *) echo "-F takes drop or reject" >&2; exit 2 ;;
esac
for peer in $PEERS; do
  [[ $peer == gateway || $peer == gateway-nice || $peer == postfix ]] || { echo "-p takes gateway, gateway-nice and postfix" >&2; exit 2; }
done
BASE_PORT=30000 SINK_PORT=30099 POSTFIX_PORT=30027
source "$ROOT/bench/lib/private-stack.sh"
source "$ROOT/bench/lib/stack-cpu.sh"
source "$ROOT/bench/lib/postfix-postscreen.sh"
private_stack_env "$BASE_PORT" "$SINK_PORT" "${GATEWAY_DATA_DIR:-/var/tmp/gateway-flood-bench}"
# all legitimate mail comes from 127.0.0.1: its per-IP connection limit is raised, and the automatic blocks its
# session counts would earn it are off (the flood's addresses are blocked by the operator's entry below)
export GATEWAY_SMTP_MAX_CONNECTIONS_PER_IP=20000 GATEWAY_POLICY_BLOCK_ENABLED=false
SINK_PID=
cleanup() {
  [[ -n "$FIREWALL" ]] && nft delete table inet mailgateway 2>/dev/null
  postscreen_down
  "$ROOT/gateway" down >/dev/null 2>&1 || true
  [[ -n "$SINK_PID" ]] && kill "$SINK_PID" 2>/dev/null
  rm -rf "$GATEWAY_DATA_DIR"
}
trap cleanup EXIT
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

rm -rf "$GATEWAY_DATA_DIR"
smtp-sink -c -u nobody -m 1024 127.0.0.1:$SINK_PORT 1024 > /tmp/flood-bench.sink 2>&1 &
SINK_PID=$!
sink_count() { tail -c 300 /tmp/flood-bench.sink | tr '\r' '\n' | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2; }
"$ROOT/gateway" up >/dev/null || { log "the gateway did not start"; exit 1; }
ADMIN_URL=$(sed -n 's/^ADMIN_URL=//p' "$GATEWAY_DATA_DIR/run/stack.env")
KEY=$(cat "$GATEWAY_DATA_DIR/admin-api-key")
curl -sf -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d '{"cidr": "127.0.5.0/24", "reason": "flood benchmark", "expires": "PT2H"}' "$ADMIN_URL/api/v1/blocklist" >/dev/null \
  || { log "could not block 127.0.5.0/24"; exit 1; }
until python3 "$FLOOD" -p "$GATEWAY_SMTP_PORT" -c 1 -n 1 --src 127.0.5.1 2>/dev/null | grep -q '"554"'; do sleep 0.5; done
log "127.0.5.0/24 is refused at connect"
if [[ -n "$FIREWALL" ]]; then
  { curl -sf -H "Authorization: Bearer $KEY" "$ADMIN_URL/api/v1/blocklist/export?format=nftables" \
    && printf 'add chain inet mailgateway smtp_in { type filter hook input priority filter; policy accept; }\n' \
    && printf 'add rule inet mailgateway smtp_in tcp dport %s ip saddr @blocked_ipv4 %s\n' "$GATEWAY_SMTP_PORT" "$VERDICT" \
    && printf 'add rule inet mailgateway smtp_in tcp dport %s ip6 saddr @blocked_ipv6 %s\n' "$GATEWAY_SMTP_PORT" "$VERDICT"
  } > /tmp/flood-bench.nft && nft -f /tmp/flood-bench.nft || { log "could not load the firewall export"; exit 1; }
  log "the kernel now does this to 127.0.5.0/24 on port $GATEWAY_SMTP_PORT: $VERDICT"
fi
if [[ " $PEERS " == *" postfix "* ]]; then
  postscreen_up "$POSTFIX_PORT" "$SINK_PORT" "$PROCS" 127.0.5.0/24 /var/tmp/flood-bench-postfix \
    || { log "Postfix did not start"; exit 1; }
  until python3 "$FLOOD" -p "$POSTFIX_PORT" -c 1 -n 1 --src 127.0.5.1 2>/dev/null | grep -q '"521"'; do sleep 0.5; done
  log "Postfix's postscreen on port $POSTFIX_PORT refuses 127.0.5.0/24 at connect"
fi
PORT_UNDER_TEST=$GATEWAY_SMTP_PORT

legit() { # [procs messages_each pace] -> end-to-end msgs/s of PROCS x PER_PROC messages (paced by PACE)
  local procs=${1:-$PROCS} each=${2:-$PER_PROC} pace=${3-$PACE} before want t0 pids=() p
  before=$(sink_count); before=${before:-0}; want=$((before + procs * each))
  t0=$EPOCHREALTIME
  for p in $(seq "$procs"); do
    smtp-source -s 1 ${pace:+-w "$pace"} -m "$each" -l 2048 -f bench@example.org -t sink@example.test \
      "127.0.0.1:$PORT_UNDER_TEST" &
    pids+=($!)
    [[ -n "$pace" ]] && sleep "$(awk -v w="$pace" -v k="$procs" 'BEGIN{printf "%.4f", w / k}')" # spread over the pace
  done
  local failed=0
  for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
  # a process that gave up (its stderr says why) sent less than its share: the sink would never reach the count
  (( failed == 0 )) || { log "$failed of the $procs legitimate smtp-source processes failed"; return 1; }
  until [[ "$(sink_count)" -ge $want ]]; do sleep 0.1; done
  awk -v n=$((procs * each)) -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", n / (b - a)}'
}
flood_start() { # concurrency label result_file: the blocked addresses flood PORT_UNDER_TEST until flood_stop
  python3 "$FLOOD" -p "$PORT_UNDER_TEST" -c "$1" -P "$FLOOD_PROCS" -d 3600 --src 127.0.5.1-200 -l "$2" > "$3" 2>/dev/null &
  FLOOD_PID=$!
}
flood_stop() { kill -TERM "$FLOOD_PID"; wait "$FLOOD_PID"; }
warm_round() { # unpaced legitimate mail, whatever -k, -m and -W say, beside a flood of the first concurrency: the
  local rc=0   # refusals' code is compiled here, not while the first flood run is measured
  flood_start "${CONCURRENCY%% *}" warm /dev/null
  legit 20 400 "" || rc=$?
  flood_stop
  return "$rc"
}
median() { sort -g | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }

flood_ticks() { # CPU clock ticks of every process of the flood tool on our port, so far
  stack_ticks $(pgrep -f -- "$FLOOD -p $PORT_UNDER_TEST")
}
stack_cpu_init "$GATEWAY_DATA_DIR"
if [[ $WARM == quiet ]]; then   # warm-up: the JIT keeps compiling for tens of thousands of messages
  stack_warm_until_quiet warm_round
else
  for w in $(seq "$WARM"); do warm_round >/dev/null; done
fi
BACK_END="POLICY_SERVICE QUEUE_SERVICE ADMIN_API postgres"
peer_port() { [[ $1 == postfix ]] && echo "$POSTFIX_PORT" || echo "$GATEWAY_SMTP_PORT"; }
peer_cpu_mark() { [[ $1 == postfix ]] && PEER_TICKS=$(postscreen_ticks) || stack_cpu_mark; }
peer_cpu_ms() { # CPU milliseconds of the peer since peer_cpu_mark
  if [[ $1 == postfix ]]; then echo $(( ($(postscreen_ticks) - PEER_TICKS) * 1000 / $(getconf CLK_TCK) )); else stack_cpu_total_ms; fi
}
echo "# $(date -u +%FT%TZ), $(nproc) cores; runs alternate ${PEERS// /\/}$([[ " $PEERS " == *" gateway-nice "* ]] && echo " (back end at nice $BG_NICE)"); legitimate load: $PROCS x smtp-source -s 1 -m $PER_PROC${PACE:+ -w $PACE} (2 KiB); flood: flood.py -P $FLOOD_PROCS${FIREWALL:+; kernel: $VERDICT}; $(stack_store_compression)"
printf '%-12s | %-5s | %-11s | %-11s | %-5s | %-11s | %-11s | %-18s | %s\n' peer conc "alone e2e/s" "flood e2e/s" ratio "flood conn/s" \
  "rejects/s" "reply ms p50 / p99" "tool / stack cores"
for c in $CONCURRENCY; do
  for peer in $PEERS; do : > "/tmp/flood-bench.$peer.runs"; done
  for run in $(seq "$RUNS"); do
    for peer in $PEERS; do
      PORT_UNDER_TEST=$(peer_port "$peer")
      [[ $peer == gateway-nice ]] && stack_renice "$BG_NICE" $BACK_END
      alone=$(legit) || exit 1
      flood_start "$c" "c$c" /tmp/flood-bench.flood
      sleep 0.5   # the tool forks its processes
      t0=$EPOCHREALTIME tool0=$(flood_ticks); peer_cpu_mark "$peer"
      during=$(legit) || { flood_stop; exit 1; }
      tool1=$(flood_ticks) peer_ms=$(peer_cpu_ms "$peer") t1=$EPOCHREALTIME
      flood_stop
      cores=$(awk -v t="$((tool1 - tool0))" -v s="$peer_ms" -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" \
        'BEGIN{printf "%.2f %.2f", t / hz / (b - a), s / 1000 / (b - a)}')
      python3 - "$alone" "$during" /tmp/flood-bench.flood $cores >> "/tmp/flood-bench.$peer.runs" <<'PY'
import json, sys
f = json.loads(open(sys.argv[3]).readline())
print(sys.argv[1], sys.argv[2], f"{float(sys.argv[2]) / float(sys.argv[1]):.2f}", f["conn_per_s"], f["rejects_per_s"],
      f["reply_ms"]["p50"], f["reply_ms"]["p99"], sys.argv[4], sys.argv[5], json.dumps(f["outcomes"], separators=(",", ":")))
PY
      [[ $peer == gateway-nice ]] && stack_renice 0 $BACK_END
      log "$peer c=$c run $run: $(tail -1 "/tmp/flood-bench.$peer.runs")"
    done
  done
  for peer in $PEERS; do
    col() { awk -v c="$1" '{print $c}' "/tmp/flood-bench.$peer.runs" | median; }
    printf '%-12s | %-5s | %-11s | %-11s | %-5s | %-11s | %-11s | %-18s | %s / %s\n' "$peer" "$c" "$(col 1)" "$(col 2)" "$(col 3)" \
      "$(col 4)" "$(col 5)" "$(col 6) / $(col 7)" "$(col 8)" "$(col 9)"
    echo "#   $peer runs (alone during ratio conn/s rejects/s p50 p99 tool-cores stack-cores outcomes): $(paste -sd';' "/tmp/flood-bench.$peer.runs")"
  done
done
