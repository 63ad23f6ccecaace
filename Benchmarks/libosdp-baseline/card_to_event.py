#!/usr/bin/env python3
"""Baseline for Keyway's interop benchmark: libosdp's own control panel on the same link.

Runs the same libosdp PD peer (Demo/osdp_pd.py) on a pty, drives it with libosdp 3.2.9's
ControlPanel (refreshed every 2 ms, as fast as its Python binding sensibly goes), and measures the time
from telling the PD to present a card to the card event at the control panel, like the Swift benchmark
"card read to event". Run with the repository's .venv: .venv/bin/python Benchmarks/libosdp-baseline/card_to_event.py
"""
import json
import os
import queue
import random
import statistics
import subprocess
import sys
import threading
import time
import tty

import osdp

KEY = "0123456789abcdeffedcba9876543210"
ROUNDS = 100
REPOSITORY = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class PtyChannel(osdp.Channel):
    def __init__(self, path):
        super().__init__()
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.fd)

    def read(self, max_bytes):
        try:
            return os.read(self.fd, max_bytes)
        except OSError:
            return b""

    def write(self, data):
        try:
            return os.write(self.fd, data)
        except BlockingIOError:
            return 0

    def flush(self):
        pass


def main():
    peer = subprocess.Popen([sys.executable, os.path.join(REPOSITORY, "Demo/osdp_pd.py"), "--address", "1",
                             "--scbk", KEY], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, bufsize=1)
    device = json.loads(peer.stdout.readline())["device"]
    threading.Thread(target=lambda: [None for _ in peer.stdout], daemon=True).start()
    cards = queue.Queue()
    panel = osdp.ControlPanel([osdp.PDInfo(1, PtyChannel(device), scbk=bytes.fromhex(KEY))],
                              log_level=osdp.LogLevel.Error)
    panel.set_event_handler(lambda address, event: cards.put(time.monotonic()) or 0)
    stop = threading.Event()

    def refresh():
        while not stop.is_set():
            panel.ctx.refresh()
            time.sleep(0.002)

    threading.Thread(target=refresh, daemon=True).start()
    deadline = time.monotonic() + 20
    while not panel.ctx.sc_status() & 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    samples = []
    for _ in range(ROUNDS):
        time.sleep(random.uniform(0, 0.05))  # a card comes at any moment of the poll cycle
        start = time.monotonic()
        peer.stdin.write('{"cmd":"card","address":1,"bits":26,"hex":"225127C0"}\n')
        peer.stdin.flush()
        samples.append((cards.get(timeout=10) - start) * 1000)
    stop.set()
    peer.stdin.close()
    peer.wait()
    samples.sort()
    print(json.dumps({"rounds": ROUNDS, "p50_ms": round(statistics.median(samples), 2),
                      "p90_ms": round(samples[int(ROUNDS * 0.9)], 2), "p99_ms": round(samples[int(ROUNDS * 0.99) - 1], 2),
                      "max_ms": round(samples[-1], 2)}))


if __name__ == "__main__":
    main()
