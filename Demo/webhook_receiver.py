#!/usr/bin/env python3
"""A webhook receiver for Keyway on loopback: checks each delivery's signature and records it.

    webhook_receiver.py --secret-file FILE --log FILE [--port N] [--port-file FILE] [--max-age SECONDS] [--delay SECONDS]

Keyway signs every delivery with `Keyway-Signature: t=<unix seconds>,v1=<hex>`, where
v1 = HMAC-SHA256(secret, "<t>.<body>"). This receiver recomputes it, refuses a wrong one or a stale
timestamp with 401, and answers 200 otherwise. Each request is appended to --log as one JSON line:
{"id", "type", "sequence", "delivery", "valid", "status"}. The port it listens on is written to
--port-file (give --port 0 for any free port). Tests drive it; it is also a starting point for a real receiver.
"""
import argparse
import hashlib
import hmac
import json
import os
import time
from http.server import BaseHTTPRequestHandler, HTTPServer


def verify(secret: bytes, header: str, body: bytes, max_age: float) -> bool:
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > max_age:
        return False
    expected = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--secret-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--max-age", type=float, default=300)
    parser.add_argument("--delay", type=float, default=0, help="seconds to wait before each answer (a slow receiver)")
    args = parser.parse_args()
    with open(args.secret_file, "rb") as handle:
        secret = handle.read().strip()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = min(int(self.headers.get("Content-Length", "0")), 1 << 20)
            body = self.rfile.read(length)
            time.sleep(args.delay)
            valid = verify(secret, self.headers.get("Keyway-Signature", ""), body, args.max_age)
            status = 200 if valid else 401
            try:
                event = json.loads(body)
            except ValueError:
                event = {}
            record = {"id": event.get("id"), "type": event.get("type"), "sequence": event.get("sequence"),
                      "delivery": self.headers.get("Keyway-Delivery"), "valid": valid, "status": status}
            with open(args.log, "a") as log:
                log.write(json.dumps(record) + "\n")
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", args.port), Handler)
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as handle:
            handle.write(str(server.server_address[1]))
        os.replace(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
