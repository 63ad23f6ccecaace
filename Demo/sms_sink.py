#!/usr/bin/env python3
"""An SMS gateway stand-in on loopback: records every request Keyway's SMS delivery makes.

    sms_sink.py --log FILE --port-file FILE [--port N] [--status CODE] [--until-stdin-closes]

Each request is appended to --log as one JSON line: {"method", "path", "headers", "body"}, and answered with
--status (200 unless told). The port it listens on is written to --port-file (--port 0: any free port).
--until-stdin-closes: exit when standard input reaches its end, so a sink started by `keyway serve --demo` ends with
it, even one killed outright.
"""
import argparse
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--status", type=int, default=200)
    parser.add_argument("--until-stdin-closes", action="store_true")
    options = parser.parse_args()
    # A parent that ignores SIGTERM (a service handling it itself) passes that on: take the default back.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if options.until_stdin_closes:
        def watch_parent():
            while sys.stdin.buffer.read(4096):
                pass
            os._exit(0)
        threading.Thread(target=watch_parent, daemon=True).start()

    class Handler(BaseHTTPRequestHandler):
        def record(self):
            length = min(int(self.headers.get("Content-Length", "0")), 1 << 20)
            body = self.rfile.read(length).decode("utf-8", "replace")
            with open(options.log, "a") as log:
                log.write(json.dumps({"method": self.command, "path": self.path,
                                      "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}) + "\n")
            self.send_response(options.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        do_POST = record
        do_PUT = record

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", options.port), Handler)
    with open(options.port_file + ".tmp", "w") as file:
        file.write(str(server.server_address[1]))
    os.replace(options.port_file + ".tmp", options.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
