# pod-memory.sh -- sourced by the benchmark scripts: the local stack's Kafka broker and PostgreSQL under the memory
# limits their Kubernetes pods have (deploy/k8s/base/kafka.yaml: 2 GiB, postgres.yaml: 1 GiB).
#
#   stack_bound_memory KAFKA_MIB POSTGRES_MIB
#       after stack_cpu_init (bench/lib/stack-cpu.sh), which found the stack's processes: moves its broker and every
#       PostgreSQL process into memory cgroups of their own (beside the caller's, cgroup v1 or v2), limited to that many MiB; 0 leaves that part as
#       it is. Prints what it did. Needs root and a memory controller; without one it says so and changes nothing.
#   stack_release_memory
#       removes those cgroups once the stack has stopped
#
# Why: a pod's memory limit bounds its page cache too, so the kernel recycles the pages of the broker's older log
# segments for new ones; a process without a limit grows the page cache into free memory instead. In this virtual
# machine that is far dearer: a page of free memory costs the kernel 7–14 ms of CPU a MiB when first written, a
# recycled one about 0.5 (docs/benchmarks.md, "Kafka's share at 64 KiB"). Kafka only ever appends, 128 KiB for every
# 64 KiB message (two topics), so without a bound, once free memory has gone cold, its share of a benchmark at 64 KiB
# is mostly that cost.
# The memory already charged stays where it was; only what the processes use from now on counts against the limit.

pod_memory_cgroup_dir() { # -> the directory new memory cgroups go under, or nothing
  local v1 v2 root
  v1=$(sed -n 's/^[0-9]*:\(.*,\)\{0,1\}memory\(,.*\)\{0,1\}:\(.*\)$/\3/p' /proc/self/cgroup | head -1)
  if [[ -n "$v1" && -w "/sys/fs/cgroup/memory$v1" ]]; then
    echo "/sys/fs/cgroup/memory$v1"; return
  fi
  v2=$(sed -n 's/^0::\(.*\)$/\1/p' /proc/self/cgroup | head -1)
  for root in /sys/fs/cgroup /sys/fs/cgroup/unified; do
    if [[ -n "$v2" && -f "$root/cgroup.controllers" ]] && grep -qw memory "$root$v2/cgroup.subtree_control" 2>/dev/null; then
      echo "$root${v2%/}"; return
    fi
  done
}

pod_memory_bound() { # name MiB pids...
  local name=$1 mib=$2 parent dir pid; shift 2
  parent=$(pod_memory_cgroup_dir)
  [[ -n "$parent" ]] || { echo "# no writable memory cgroup here: $name's memory left unbounded"; return 1; }
  dir="$parent/gateway-bench-$name"
  mkdir -p "$dir" || return 1
  if [[ -f "$dir/memory.limit_in_bytes" ]]; then
    echo $((mib * 1024 * 1024)) >"$dir/memory.limit_in_bytes"
  else
    echo $((mib * 1024 * 1024)) >"$dir/memory.max"
  fi
  for pid in "$@"; do echo "$pid" >"$dir/cgroup.procs"; done
  echo "# $name bounded to $mib MiB (page cache included) in $dir: $(wc -w <<<"$*") processes"
}

stack_bound_memory() {
  local kafka=${STACK_PARTS[kafka]}
  if [[ "$1" != 0 && -n "$kafka" ]]; then pod_memory_bound kafka "$1" "$kafka"; fi
  if [[ "$2" != 0 && -n "$STACK_POSTMASTER" ]]; then
    # the postmaster and the backends it has forked so far (later ones start in its cgroup)
    pod_memory_bound postgres "$2" "$STACK_POSTMASTER" $(pgrep -P "$STACK_POSTMASTER")
  fi
}

stack_release_memory() {
  local parent; parent=$(pod_memory_cgroup_dir)
  [[ -n "$parent" ]] && rmdir "$parent"/gateway-bench-kafka "$parent"/gateway-bench-postgres 2>/dev/null
  return 0
}
