#!/usr/bin/env python3
"""A half-duplex RS-485 line between two pseudo-terminals, paced at a real baud rate (10 bits a byte).

Side A is the control panel's, side B the PD's. A byte read from one side enters the line when the line is
free and is handed to the other side when its last bit would have arrived. Toward a side named with
--whole, a frame is handed over in one write when its last byte is due (libosdp cannot parse a frame split
over reads); toward the other side bytes go one by one, as a UART without FIFO delay delivers them.

Prints {"event":"ready","a":PATH,"b":PATH} and then, for every frame that crossed the line,
{"event":"frame","dir":"a2b"|"b2a","n":BYTES,"address":PD,"code":COMMAND_OR_REPLY_CODE,"end":SECONDS}.
Ends on stdin EOF or SIGTERM.
"""
import argparse
import collections
import json
import os
import select
import signal
import sys
import time
import tty


def now():
    return time.monotonic_ns()


class Direction:
    def __init__(self, name, source, target, whole):
        self.name, self.source, self.target, self.whole = name, source, target, whole
        self.queue = collections.deque()  # (due_ns, byte)
        self.frame = bytearray()           # the bytes of the frame being handed over, for the report
        self.last_due = 0


def frame_code(data):
    """The OSDP command/reply code of a frame (after an optional 0xFF mark), or None."""
    start = data.find(0x53)
    if start < 0 or len(data) < start + 7:
        return None
    control = data[start + 4]
    index = start + 5
    if control & 0x08:
        index += data[index] if index < len(data) else 0
    return data[index] if index < len(data) else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--baud", type=int, required=True)
    parser.add_argument("--whole", choices=["a", "b", "both"], default="b",
                        help="the side(s) that receive whole frames (libosdp's)")
    args = parser.parse_args()
    if args.baud <= 0:
        parser.error("--baud must be positive")
    byte_time = 10 * 1_000_000_000 // args.baud
    ends = []
    for _ in range(2):
        controller, device = os.openpty()
        tty.setraw(controller)
        tty.setraw(device)
        os.set_blocking(controller, False)
        ends.append((controller, device, os.ttyname(device)))
    (a, _, a_path), (b, _, b_path) = ends
    a2b = Direction("a2b", a, b, args.whole in ("b", "both"))
    b2a = Direction("b2a", b, a, args.whole in ("a", "both"))
    line_free = 0
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    print(json.dumps({"event": "ready", "a": a_path, "b": b_path, "baud": args.baud}), flush=True)

    def report(direction):
        if direction.frame:
            start = direction.frame.find(0x53)
            address = direction.frame[start + 1] & 0x7F if 0 <= start < len(direction.frame) - 1 else None
            print(json.dumps({"event": "frame", "dir": direction.name, "n": len(direction.frame), "address": address,
                              "code": frame_code(direction.frame), "end": direction.last_due / 1e9}), flush=True)
            direction.frame = bytearray()

    while not stopping:
        deadline = None
        for direction in (a2b, b2a):
            if direction.queue:
                due = direction.queue[-1][0] if direction.whole else direction.queue[0][0]
                deadline = due if deadline is None else min(deadline, due)
            elif direction.frame:
                # A frame ends after two idle characters: report it then.
                due = direction.last_due + 2 * byte_time
                deadline = due if deadline is None else min(deadline, due)
        timeout = None if deadline is None else max(0, deadline - now()) / 1e9
        try:
            readable, _, _ = select.select([a, b, sys.stdin], [], [], timeout)
        except InterruptedError:
            continue
        arrived = now()
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 4096):
            break
        for direction in (a2b, b2a):
            if direction.source in readable:
                try:
                    data = os.read(direction.source, 4096)
                except OSError:
                    data = b""
                for value in data:
                    line_free = max(line_free, arrived) + byte_time
                    direction.queue.append((line_free, value))
        current = now()
        for direction in (a2b, b2a):
            queue = direction.queue
            if direction.whole and queue and queue[-1][0] > current:
                continue  # the frame's last byte is not due yet: hand nothing over
            out = bytearray()
            while queue and queue[0][0] <= current:
                due, value = queue.popleft()
                out.append(value)
                direction.last_due = due
            if out:
                direction.frame += out
                try:
                    os.write(direction.target, out)
                except BlockingIOError:
                    pass  # nobody reads that side: the bytes are lost, as on a line without a listener
            elif direction.frame and not queue and current >= direction.last_due + 2 * byte_time:
                report(direction)
    return 0


if __name__ == "__main__":
    sys.exit(main())
