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
from http.server import BaseHTTPRequestHandler, HTTPServer

import sink_lifetime  # Demo/, beside this script


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--status", type=int, default=200)
    sink_lifetime.add_arguments(parser)
    options = parser.parse_args()
    sink_lifetime.follow(options)

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
