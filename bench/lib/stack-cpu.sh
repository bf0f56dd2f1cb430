# stack-cpu.sh -- sourced by the benchmark scripts: CPU time used by each part of a running local stack.
#
#   stack_cpu_init DATA_DIR   find the processes of the stack started with GATEWAY_DATA_DIR=DATA_DIR
#   stack_cpu_mark            remember every part's CPU time now
#   stack_cpu_since MESSAGES  print "part=ms/msg ... total=ms/msg compilers=ms/msg" for the CPU used since the mark;
#                             compilers is the part of the total the JVMs' JIT compiler threads used (C1 and C2, in
#                             the four services and Kafka): work a longer-running stack would have done already
#   stack_cpu_total_ms        CPU milliseconds of the whole stack since the mark
#   stack_compiler_ms         CPU milliseconds of the JIT compiler threads since the mark (part of the total)
#   stack_store_compression   how PostgreSQL compresses the stored message bytes, as the queue-service's log says
#                             (lz4, or pglz where the server has no lz4: the embedded one; docs/benchmarks.md)
#   stack_jit_seconds         seconds the services' JIT compilers have spent so far (jstat -compiler), all instances
#   stack_metrics SERVICE     the /q/metrics text of every instance of a service (QUEUE_SERVICE, SMTP_INGRESS, ...);
#                             metrics_sum PATTERN [FORMAT] sums the matching lines of it, stack_metric_total does both
#   stack_stored_with_bytes   messages queue-service has stored with their bytes so far, all instances: stored due
#                             past its limit of first attempts in flight, or after a first attempt that did not
#                             deliver within the grace (decision 0008); each costs PostgreSQL the bytes
#   stack_accepted            messages the SMTP ingress has answered 250 to so far, all instances: under an overload
#                             it accepts more than is delivered, and the CPU per delivered message includes that
#   stack_renice NICE PART...  every thread of the parts' processes (PostgreSQL: the postmaster and its backends) to
#                             that nice value; threads and backends started later inherit it from their creator
#   stack_warm_until_quiet CMD...
#                             runs CMD (one round of warm-up load) again and again until a round's JIT compile
#                             time is under 3 % of the round's duration per service instance (at most 20 rounds)
#
# CPU time is utime+stime of each process with all its threads, plus that of its reaped children, from
# /proc/PID/stat. The parts: every instance of the four services, the Kafka broker, and PostgreSQL (the
# postmaster and its backends). The load generator and the downstream sink are not part of the stack.

declare -gA STACK_PARTS STACK_MARK
STACK_POSTMASTER="" STACK_DATA="" STACK_COMPILER_MARK=0

stack_cpu_init() {
  local env="$1/run/stack.env" m
  STACK_DATA="$1"
  STACK_PARTS=([kafka]="$(sed -n 's/^PID_KAFKA=//p' "$env")")
  for m in SMTP_INGRESS POLICY_SERVICE QUEUE_SERVICE ADMIN_API; do
    STACK_PARTS[$m]="$(sed -n "s/^PID_${m}\\(_[0-9]*\\)\\{0,1\\}=//p" "$env" | paste -sd' ')"
  done
  STACK_POSTMASTER=$(pgrep -f -- "-D $1/postgres" | head -1 || true)
}

stack_ticks() { # pids... -> clock ticks
  local t=0 pid rest
  for pid in "$@"; do
    [[ -r /proc/$pid/stat ]] || continue
    rest=$(sed 's/^.*) //' "/proc/$pid/stat")
    t=$((t + $(awk '{print $12 + $13 + $14 + $15}' <<<"$rest")))
  done
  echo "$t"
}

stack_compiler_ticks() { # clock ticks of the JIT compiler threads of the JVMs (every part but PostgreSQL)
  local k pid task comm ticks t=0
  for k in "${STACK_PART_NAMES[@]}"; do
    [[ $k == postgres ]] && continue
    for pid in ${STACK_PARTS[$k]}; do
      for task in /proc/"$pid"/task/*; do # a JVM has a hundred threads or more: read their names without a fork each
        read -r comm 2>/dev/null <"$task/comm" || continue
        [[ $comm == C[12]\ CompilerThre* ]] || continue
        ticks=$(sed 's/^.*) //' "$task/stat" 2>/dev/null | awk '{print $12 + $13}')
        t=$((t + ${ticks:-0}))
      done
    done
  done
  echo "$t"
}

stack_part_pids() { # part -> its processes (PostgreSQL: the postmaster and its backends)
  if [[ $1 == postgres ]]; then
    [[ -n "$STACK_POSTMASTER" ]] && echo "$STACK_POSTMASTER" $(pgrep -P "$STACK_POSTMASTER" 2>/dev/null)
  else
    echo ${STACK_PARTS[$1]}
  fi
}

stack_part_ticks() { stack_ticks $(stack_part_pids "$1"); } # part -> ticks

stack_renice() { # NICE PART... (root, to lower a value again)
  local nice=$1 part pid task
  shift
  for part in "$@"; do
    for pid in $(stack_part_pids "$part"); do
      for task in /proc/"$pid"/task/*; do renice -n "$nice" -p "${task##*/}" >/dev/null 2>&1; done
    done
  done
}

stack_store_compression() { # migration V3's notice, logged once, when the store is created
  local line
  line=$(grep -h -m1 -o 'message bytes: .*' "$STACK_DATA"/logs/queue-service*.log 2>/dev/null | head -1)
  echo "${line:-message bytes: not logged (a store created before this start)}"
}

STACK_PART_NAMES=(SMTP_INGRESS POLICY_SERVICE QUEUE_SERVICE ADMIN_API kafka postgres)

stack_cpu_mark() {
  local k
  for k in "${STACK_PART_NAMES[@]}"; do STACK_MARK[$k]=$(stack_part_ticks "$k"); done
  STACK_COMPILER_MARK=$(stack_compiler_ticks)
}

stack_compiler_ms() {
  awk -v t="$(( $(stack_compiler_ticks) - STACK_COMPILER_MARK ))" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.0f", t * 1000 / hz}'
}

stack_cpu_total_ms() {
  local k total=0
  for k in "${STACK_PART_NAMES[@]}"; do total=$((total + $(stack_part_ticks "$k") - STACK_MARK[$k])); done
  awk -v t="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.0f", t * 1000 / hz}'
}

stack_cpu_since() {
  local k d total=0 hz line=""
  hz=$(getconf CLK_TCK)
  for k in "${STACK_PART_NAMES[@]}"; do
    d=$(($(stack_part_ticks "$k") - STACK_MARK[$k])); total=$((total + d))
    line+="$(tr 'A-Z_' 'a-z-' <<<"$k")=$(awk -v d="$d" -v hz="$hz" -v m="$1" 'BEGIN{printf "%.2f", d * 1000 / hz / m}') "
  done
  echo "${line}total=$(awk -v d="$total" -v hz="$hz" -v m="$1" 'BEGIN{printf "%.2f", d * 1000 / hz / m}')" \
    "compilers=$(awk -v ms="$(stack_compiler_ms)" -v m="$1" 'BEGIN{printf "%.2f", ms / m}')"
}

stack_jit_seconds() {
  local k pid total=0
  for k in SMTP_INGRESS POLICY_SERVICE QUEUE_SERVICE ADMIN_API; do
    for pid in ${STACK_PARTS[$k]}; do
      total=$(awk -v t="$total" -v a="$(jstat -compiler "$pid" 2>/dev/null | awk 'NR == 2 {print $4}')" 'BEGIN{print t + (a == "" ? 0 : a)}')
    done
  done
  echo "$total"
}

stack_metrics() { # SERVICE (as in run/stack.env: QUEUE_SERVICE) -> the /q/metrics text of all its instances
  local url
  for url in $(sed -n "s/^HTTP_$1\(_[0-9]*\)\{0,1\}=//p" "$STACK_DATA/run/stack.env"); do
    curl -s "$url/q/metrics"
  done
}
metrics_sum() { # LINE-PATTERN [printf format, %d] < metrics text -> the sum of the matching lines' values
  awk -v p="$1" -v f="${2:-%d}" '$0 ~ p {n += $NF} END {printf f "\n", n}'
}
stack_metric_total() { stack_metrics "$1" | metrics_sum "$2" "${3:-%d}"; } # SERVICE LINE-PATTERN [format]
stack_stored_with_bytes() { stack_metric_total QUEUE_SERVICE '^gateway_delivery_(stored_due|bytes_after_attempt)_total'; }
stack_accepted() { stack_metric_total SMTP_INGRESS '^gateway_smtp_messages_total[{]result="accepted"[}]'; }

# The JIT compiles for a long time: at 2 KiB the services' compilers are busy for the first ~50,000 messages, and
# until then the CPU per message measures the compilers as much as the gateway (docs/benchmarks.md, "Fifth pass:
# the JIT compilers, measured").
stack_warm_until_quiet() {
  local round jit0 jit1 t0 t1 services=0 k pid
  for k in SMTP_INGRESS POLICY_SERVICE QUEUE_SERVICE ADMIN_API; do for pid in ${STACK_PARTS[$k]}; do services=$((services + 1)); done; done
  for round in $(seq 20); do
    jit0=$(stack_jit_seconds); t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    jit1=$(stack_jit_seconds); t1=$(date +%s.%N)
    echo "# warm-up round $round: $(awk -v a="$jit0" -v b="$jit1" -v t0="$t0" -v t1="$t1" 'BEGIN{printf "%.1f s of JIT compilation in %.1f s", b - a, t1 - t0}')" >&2
    awk -v a="$jit0" -v b="$jit1" -v t0="$t0" -v t1="$t1" -v n="$services" 'BEGIN{exit !((b - a) < 0.03 * (t1 - t0) * n)}' && return 0
  done
  echo "# the JIT was still busy after 20 warm-up rounds" >&2
}
