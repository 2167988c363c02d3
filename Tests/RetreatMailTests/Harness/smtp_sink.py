"""A loopback SMTP sink for the RetreatMail tests (aiosmtpd).

usage: smtp_sink.py FOLDER [MAX_SECONDS]

Listens on 127.0.0.1 on a free port, prints "PORT <n>" on one line once it accepts connections, and
writes every message it receives to FOLDER/msg-<k>.eml (the bytes as received, after SMTP dot-unstuffing)
with FOLDER/msg-<k>.json holding the envelope (MAIL FROM, RCPT TO). It stops when its standard input
closes, on SIGTERM, or after MAX_SECONDS (default 120) so it never outlives a test.
"""
import asyncio
import json
import os
import signal
import sys
import threading

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.folder, "msg-%03d" % self.count)
        content = envelope.original_content or envelope.content
        with open(base + ".tmp", "wb") as f:
            f.write(content)
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos)}, f)
        os.replace(base + ".tmp", base + ".eml")
        return "250 OK stored"


async def main(folder, max_seconds):
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    handler = Sink(folder)
    server = await loop.create_server(lambda: SMTP(handler, hostname="retreat-test-sink"), host="127.0.0.1", port=0)
    port = server.sockets[0].getsockname()[1]
    print("PORT %d" % port, flush=True)

    def wait_for_stdin_eof():
        try:
            sys.stdin.buffer.read()
        finally:
            loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=wait_for_stdin_eof, daemon=True).start()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), timeout=max_seconds)
    except asyncio.TimeoutError:
        print("smtp_sink: stopping after %s seconds" % max_seconds, file=sys.stderr, flush=True)
    server.close()
    await server.wait_closed()
    print("STOPPED %d" % handler.count, flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 120.0))
