#!/usr/bin/env python3
"""A half-duplex RS-485 line between two pseudo-terminals, paced at a real baud rate (10 bits a byte).

Side A is the control panel's, side B the PD's. A byte read from one side enters the line when the line is
free and is handed to the other side when its last bit would have arrived. Toward a side named with
--whole, a frame is handed over in one write when its last byte is due (libosdp cannot parse a frame split
over reads); toward the other side bytes go one by one, as a UART without FIFO delay delivers them.

Faults, for noise and fault-injection runs: --corrupt RATE damages each byte with that probability (XOR with a
random non-zero value, both directions, as it enters the line; --seed makes a run repeatable). Lines on stdin
change the line while it runs: {"cmd":"corrupt","rate":R} sets the rate, {"cmd":"cut","seconds":S} cuts the
wire for S seconds (every byte sent meanwhile is lost, as with a loose terminal block).

Prints {"event":"ready","a":PATH,"b":PATH} and then, for every frame that crossed the line,
{"event":"frame","dir":"a2b"|"b2a","n":BYTES,"address":PD,"code":COMMAND_OR_REPLY_CODE,"end":SECONDS,
"corrupted":DAMAGED_BYTES}, and {"event":"ok","cmd":...} for every stdin command taken.
Ends on stdin EOF or SIGTERM.
"""
import argparse
import collections
import json
import os
import random
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
        self.queue = collections.deque()  # (due_ns, byte, damaged)
        self.frame = bytearray()           # the bytes of the frame being handed over, for the report
        self.corrupted = 0                 # how many of them the line damaged
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
    parser.add_argument("--corrupt", type=float, default=0.0, help="probability that a byte is damaged, 0…1")
    parser.add_argument("--seed", type=int, default=None, help="seed of the damage, for a repeatable run")
    args = parser.parse_args()
    if args.baud <= 0:
        parser.error("--baud must be positive")
    if not 0.0 <= args.corrupt <= 1.0:
        parser.error("--corrupt must be between 0 and 1")
    noise = random.Random(args.seed)
    fault = {"corrupt": args.corrupt, "cut_until": 0}
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
                              "code": frame_code(direction.frame), "end": direction.last_due / 1e9,
                              "corrupted": direction.corrupted}), flush=True)
            direction.frame = bytearray()
            direction.corrupted = 0

    commands = bytearray()

    def take_commands(data):
        """Applies the complete JSON lines that came on stdin; a malformed one is reported and ignored."""
        commands.extend(data)
        while b"\n" in commands:
            line, _, rest = bytes(commands).partition(b"\n")
            commands[:] = rest
            try:
                command = json.loads(line)
                if command["cmd"] == "corrupt" and 0.0 <= float(command["rate"]) <= 1.0:
                    fault["corrupt"] = float(command["rate"])
                elif command["cmd"] == "cut" and 0.0 <= float(command["seconds"]) <= 3600.0:
                    fault["cut_until"] = now() + int(float(command["seconds"]) * 1e9)
                else:
                    raise ValueError("unknown command or value out of range")
                print(json.dumps({"event": "ok", "cmd": command["cmd"]}), flush=True)
            except (ValueError, KeyError, TypeError) as error:
                print(json.dumps({"event": "error", "line": line.decode(errors="replace"), "error": str(error)}), flush=True)

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
        if sys.stdin in readable:
            data = os.read(sys.stdin.fileno(), 4096)
            if not data:
                break
            take_commands(data)
        for direction in (a2b, b2a):
            if direction.source in readable:
                try:
                    data = os.read(direction.source, 4096)
                except OSError:
                    data = b""
                if arrived < fault["cut_until"]:
                    continue  # the wire is cut: the bytes never reach the other side
                for value in data:
                    line_free = max(line_free, arrived) + byte_time
                    damaged = fault["corrupt"] > 0 and noise.random() < fault["corrupt"]
                    if damaged:
                        value ^= noise.randrange(1, 256)
                    direction.queue.append((line_free, value, damaged))
        current = now()
        for direction in (a2b, b2a):
            queue = direction.queue
            if direction.whole and queue and queue[-1][0] > current:
                continue  # the frame's last byte is not due yet: hand nothing over
            out = bytearray()
            while queue and queue[0][0] <= current:
                due, value, damaged = queue.popleft()
                out.append(value)
                direction.corrupted += damaged
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
