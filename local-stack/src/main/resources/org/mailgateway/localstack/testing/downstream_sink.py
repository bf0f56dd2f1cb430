"""A real SMTP server (aiosmtpd) standing in for the downstream mail server in tests.

Every accepted message is written to <dir>/<n>.eml exactly as received (after un-dot-stuffing) and its
envelope to <n>.json. Options script failures: --tempfail-data N answers "451 4.3.0" to the first N DATA
commands; --refuse-rcpt TEXT answers "550 5.1.1" to recipients containing TEXT; --hold-data FILE holds the reply
to the end of a message's data (written to <dir> already) for as long as FILE exists.
"""
import argparse
import asyncio
import itertools
import json
import os
import signal
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

# message lines longer than RFC 5321's 1000 octets are delivered as they are: let them through
SMTP.line_length_limit = 1_000_000


class Sink:
    def __init__(self, directory, tempfail_data, refuse_rcpt, hold_data):
        self.directory = directory
        self.hold_data = hold_data
        self.tempfail_left = tempfail_data
        self.refuse_rcpt = refuse_rcpt
        self.counter = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt and self.refuse_rcpt in address:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.tempfail_left > 0:
            self.tempfail_left -= 1
            return "451 4.3.0 Temporary failure, try again later"
        n = next(self.counter)
        base = os.path.join(self.directory, "%06d" % n)
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "helo": session.host_name, "peer": session.peer[0]}, f)
        os.rename(base + ".tmp", base + ".eml")
        while self.hold_data and os.path.exists(self.hold_data):
            await asyncio.sleep(0.05)
        return "250 2.0.0 Ok: stored as %06d" % n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--tempfail-data", type=int, default=0)
    parser.add_argument("--refuse-rcpt", default="")
    parser.add_argument("--hold-data", default="")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    controller = Controller(Sink(args.dir, args.tempfail_data, args.refuse_rcpt, args.hold_data), hostname="127.0.0.1",
                            port=args.port, server_hostname="sink.test", data_size_limit=64 * 1024 * 1024)
    controller.start()
    print("listening on 127.0.0.1:%d" % args.port, flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    sys.exit(main())
