#!/usr/bin/env python3
"""latency.py -- SMTP latency of a relay at a fixed offered rate (Python 3.11 standard library only).

Sends messages at --rate per second for --duration seconds to 127.0.0.1:--port, one connection per message,
and runs the downstream SMTP sink itself on 127.0.0.1:--sink-port, so that both ends use one clock. For every
message it records
  accept:   the end of DATA (the final "." written) -> the relay's reply to it (250), at the client
  delivery: the same end of DATA -> the message's arrival at the sink (its final "." read there)
and prints one JSON line with p50/p90/p99/max of both, how many were offered, accepted (2xx), refused or failed,
and how many accepted messages never reached the sink within --drain seconds after the last one.

  latency.py --port 2625 --sink-port 2626 --rate 250 --duration 20 --size 2048
"""
import argparse, asyncio, json, sys, time

def pct(values, p):
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p / 100))] * 1000, 2)

class Sink:
    def __init__(self):
        self.arrived = {}

    async def handle(self, reader, writer):
        writer.write(b"220 sink ESMTP\r\n")
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    writer.write(b"250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
                elif verb == b"DATA":
                    writer.write(b"354 go on\r\n")
                    await writer.drain()
                    bench_id = None
                    while True:
                        data = await reader.readline()
                        if not data or data == b".\r\n":
                            break
                        if bench_id is None and data.startswith(b"X-Bench-Id: "):
                            bench_id = int(data[12:].strip())
                    if bench_id is not None:
                        self.arrived.setdefault(bench_id, time.monotonic())
                    writer.write(b"250 2.0.0 ok\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    await writer.drain()
                    break
                else:
                    writer.write(b"250 ok\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

async def reply(reader):
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("closed")
        if line[3:4] != b"-":
            return int(line[:3])

async def send_one(port, bench_id, body, results, timeout):
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
        async def step(command, expect):
            if command:
                writer.write(command)
            code = await asyncio.wait_for(reply(reader), timeout)
            if code // 100 != expect:
                raise RuntimeError(str(code))
        await step(None, 2)
        await step(b"EHLO latency.bench.test\r\n", 2)
        await step(b"MAIL FROM:<bench@example.org>\r\n", 2)
        await step(b"RCPT TO:<sink@example.test>\r\n", 2)
        await step(b"DATA\r\n", 3)
        writer.write(b"X-Bench-Id: %d\r\n" % bench_id + body + b".\r\n")
        await writer.drain()
        eod = time.monotonic()
        code = await asyncio.wait_for(reply(reader), timeout)
        acked = time.monotonic()
        results[bench_id] = (code, eod, acked)
        writer.write(b"QUIT\r\n")
        await writer.drain()
        writer.close()
    except Exception as e:  # a refusal or a failure is a result too
        results[bench_id] = (str(e) or type(e).__name__, None, None)

async def main(args):
    sink = Sink()
    server = await asyncio.start_server(sink.handle, "127.0.0.1", args.sink_port, backlog=1024)
    line = b"x" * 76 + b"\r\n"
    body = (b"From: bench@example.org\r\nTo: sink@example.test\r\nSubject: latency\r\n\r\n"
            + line * max(1, args.size // len(line)))
    results, tasks = {}, []
    count = int(args.rate * args.duration)
    start = time.monotonic()
    for i in range(count):
        delay = start + i / args.rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send_one(args.port, i, body, results, args.timeout)))
    await asyncio.gather(*tasks)
    sent_s = time.monotonic() - start
    accepted = [i for i, r in results.items() if isinstance(r[0], int) and r[0] // 100 == 2]
    deadline = time.monotonic() + args.drain
    while time.monotonic() < deadline and any(i not in sink.arrived for i in accepted):
        await asyncio.sleep(0.05)
    server.close()
    accept_lat = [results[i][2] - results[i][1] for i in accepted]
    delivery_lat = [sink.arrived[i] - results[i][1] for i in accepted if i in sink.arrived]
    outcomes = {}
    for r in results.values():
        outcomes[str(r[0])] = outcomes.get(str(r[0]), 0) + 1
    out = dict(rate=args.rate, duration_s=args.duration, offered=count, offered_per_s=round(count / sent_s, 1),
               accepted=len(accepted), outcomes=outcomes, delivered=len(delivery_lat),
               not_delivered=len(accepted) - len(delivery_lat),
               accept_ms=dict(p50=pct(accept_lat, 50), p90=pct(accept_lat, 90), p99=pct(accept_lat, 99),
                              max=pct(accept_lat, 100)),
               delivery_ms=dict(p50=pct(delivery_lat, 50), p90=pct(delivery_lat, 90), p99=pct(delivery_lat, 99),
                                max=pct(delivery_lat, 100)))
    print(json.dumps(out), flush=True)

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--sink-port", type=int, required=True)
    ap.add_argument("--rate", type=float, required=True, help="messages per second offered")
    ap.add_argument("--duration", type=float, default=20)
    ap.add_argument("--size", type=int, default=2048)
    ap.add_argument("--timeout", type=float, default=60, help="per SMTP step, s")
    ap.add_argument("--drain", type=float, default=60, help="wait for deliveries after the last reply, s")
    asyncio.run(main(ap.parse_args()))
