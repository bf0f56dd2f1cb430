#!/usr/bin/python3
"""Holds N idle SMTP sessions open against one ingress and reports what they cost it.

Each session reads the banner, sends EHLO, reads the reply and then stays silent. With all N open it reads
the ingress process's resident memory (/proc/PID/status VmRSS) and its JVM heap in use (the Micrometer
gauge jvm_memory_used_bytes{area="heap"} from /q/metrics), prints one JSON line, and closes everything.

Usage: idle-sessions.py --port 2625 --pid PID --metrics http://127.0.0.1:28081/q/metrics -n 1000 10000
Numbers, not a test: nothing here passes or fails.
"""
import argparse
import asyncio
import json
import re
import resource
import time
import urllib.request


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def heap_bytes(url):
    text = urllib.request.urlopen(url, timeout=10).read().decode()
    return sum(float(m.group(1)) for m in re.finditer(r'^jvm_memory_used_bytes\{area="heap".*\} (\S+)$', text, re.M))


async def session(port, opened, failures):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        banner = await reader.readline()
        if not banner.startswith(b"220"):
            failures.append(banner[:60].decode(errors="replace"))
            writer.close()
            return None
        writer.write(b"EHLO idle.example\r\n")
        await writer.drain()
        while True:
            line = await reader.readline()
            if not line or line[3:4] == b" ":
                break
        opened.append(1)
        return writer
    except OSError as e:
        failures.append(str(e))
        return None


async def hold(port, n, pid, metrics, settle):
    opened, failures, writers = [], [], []
    start = time.monotonic()
    for first in range(0, n, 500):  # in waves, so that the listen backlog never overflows
        batch = await asyncio.gather(*(session(port, opened, failures) for _ in range(first, min(n, first + 500))))
        writers.extend(w for w in batch if w)
    open_seconds = time.monotonic() - start
    await asyncio.sleep(settle)
    result = {"sessions": n, "open": len(opened), "failed": len(failures), "open_s": round(open_seconds, 2),
              "rss_mib": round(rss_kib(pid) / 1024, 1), "heap_used_mib": round(heap_bytes(metrics) / 1048576, 1)}
    if failures:
        result["first_failure"] = failures[0]
    for w in writers:
        w.close()
    return result


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--metrics", required=True)
    p.add_argument("--settle", type=float, default=5.0, help="seconds to wait with all sessions open before measuring")
    p.add_argument("-n", type=int, nargs="+", default=[1000, 10000])
    args = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    print(json.dumps({"sessions": 0, "rss_mib": round(rss_kib(args.pid) / 1024, 1),
                      "heap_used_mib": round(heap_bytes(args.metrics) / 1048576, 1)}))
    for n in args.n:
        print(json.dumps(asyncio.run(hold(args.port, n, args.pid, args.metrics, args.settle))), flush=True)
        time.sleep(3)


if __name__ == "__main__":
    main()
