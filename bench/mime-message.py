#!/usr/bin/env python3
"""Writes a MIME message of about SIZE bytes as real mail with an attachment looks to the gateway: a short text
part and a base64 attachment of random bytes (seeded, so that every run sends the same message), lines of 76
characters. Unlike smtp-source's filler, which compresses about a hundredfold, such a message hardly compresses
(lz4 finds no repeats in base64 of random bytes): every hop that stores or sends it carries all of its bytes.

Usage: bench/mime-message.py SIZE FILE   (then bench/relay-bench.sh -F FILE ...)
"""
import base64
import random
import sys


def message(size: int) -> bytes:
    head = (
        "From: Sender <sender@client.test>\n"
        "To: Recipient <rcpt@example.test>\n"
        "Subject: The report, as agreed\n"
        "Date: Mon, 07 Dec 2026 07:00:00 +0000\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b1"\n'
        "\n"
        "--b1\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "\n"
        "Hello,\n\nthe report is attached.\n\nRegards\n"
        "--b1\n"
        'Content-Type: application/pdf; name="report.pdf"\n'
        "Content-Transfer-Encoding: base64\n"
        'Content-Disposition: attachment; filename="report.pdf"\n'
        "\n"
    )
    tail = "--b1--\n"
    room = max(0, size - len(head) - len(tail))
    raw_bytes = room * 76 // 77 * 3 // 4  # each 76 characters of base64 (57 bytes) take a line of 77
    data = random.Random(20261207).randbytes(raw_bytes)
    encoded = base64.encodebytes(data).decode("ascii")  # lines of 76 characters and a newline
    return (head + encoded + tail).encode("ascii")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    body = message(int(sys.argv[1]))
    with open(sys.argv[2], "wb") as out:
        out.write(body)
    print(f"{sys.argv[2]}: {len(body)} bytes")
