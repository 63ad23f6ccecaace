#!/usr/bin/env python3
"""Real OSDP readers for Keyway's tests and its demo (`keyway serve --demo`): libosdp peripheral devices (PDs) on a pseudo-terminal.

The test suite runs Keyway's control panel against these PDs, an implementation written by others.
One process is one bus: one or more PDs (multi-drop) share one line.

  stdout  JSON lines. The first is {"event":"ready","device":PATH,...}: the device the control panel opens.
          Then: online, sc (secure channel up/down), command (what the CP told a PD to do), ok, error, exit.
  stdin   JSON lines that make a PD act: card, keys, input, local, nak, status, quit. EOF ends the peer.
  stderr  libosdp's log.

Needs Python 3.9+ and the libosdp wheel (`pip install libosdp==3.2.9`, module osdp_sys);
scripts/setup.sh puts both in the repository's .venv.
"""

import argparse
import ctypes
import json
import os
import select
import signal
import sys
import termios
import threading
import time
import tty

# libosdp is C code and may print to fd 1; keep a private copy of stdout for the JSON stream.
_json_stream = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)
_json_lock = threading.Lock()
_started = time.monotonic()


def emit(**fields):
    fields.setdefault("t", round(time.monotonic() - _started, 6))
    with _json_lock:
        try:
            _json_stream.write(json.dumps(fields, separators=(",", ":")) + "\n")
            _json_stream.flush()
        except BrokenPipeError:
            pass


import osdp_sys  # noqa: E402  (after the stdout redirection: the module may log on import)

BAUD_RATES = {
    9600: termios.B9600, 19200: termios.B19200, 38400: termios.B38400,
    57600: termios.B57600, 115200: termios.B115200, 230400: termios.B230400,
}
COMMAND_NAMES = {
    osdp_sys.CMD_OUTPUT: "output", osdp_sys.CMD_LED: "led", osdp_sys.CMD_BUZZER: "buzzer",
    osdp_sys.CMD_TEXT: "text", osdp_sys.CMD_KEYSET: "keyset", osdp_sys.CMD_COMSET: "comset",
    osdp_sys.CMD_COMSET_DONE: "comset_done", osdp_sys.CMD_MFG: "mfg", osdp_sys.CMD_FILE_TX: "file_tx",
    osdp_sys.CMD_STATUS: "status",
}
# libosdp 3.2.9's binding (pd_command_cb) releases the second item of the tuple a command callback returns, a
# reference it never took: every command costs None one reference, and after some thousand commands Python aborts
# ("none_dealloc: deallocating None"). Each callback gives that reference back.
_give_none_its_reference_back = ctypes.pythonapi.Py_IncRef
_give_none_its_reference_back.argtypes = [ctypes.py_object]
_give_none_its_reference_back.restype = None
# How OSDP codes the two non-digit keys of a keypad.
KEY_CODES = {"*": 0x7F, "#": 0x0D}

SOM = 0x53
MARK = 0xFF
MAX_FRAME = 1440
# A frame whose bytes stop coming for this long is abandoned (OSDP's inter-character timeout is 20 ms).
FRAME_GAP_S = 0.05


class FrameAssembler:
    """Cuts the byte stream into whole OSDP frames.

    libosdp 3.2.9 cannot parse a frame that reaches it over more than one read(); a real line (or a
    relay) may split frames anywhere. Handing libosdp one complete frame per read makes the peer as
    tolerant as a real reader. Garbage is skipped by hunting the next SOM; a damaged frame is still
    delivered whole, so libosdp sees the bad CRC and stays silent as a real reader would.
    """

    def __init__(self):
        self.buffer = bytearray()
        self.last_byte_at = 0.0

    def feed(self, data, now):
        if self.buffer and now - self.last_byte_at > FRAME_GAP_S:
            self._skip_frame_start()
        self.buffer += data
        self.last_byte_at = now
        frames = []
        while True:
            start = self.buffer.find(bytes([SOM]))
            if start < 0:
                self.buffer.clear()
                break
            if start > 0 and self.buffer[start - 1] == MARK:
                start -= 1
            del self.buffer[:start]
            som = 1 if self.buffer[0] == MARK else 0
            if len(self.buffer) < som + 4:
                break
            length = self.buffer[som + 2] | (self.buffer[som + 3] << 8)
            if not 7 <= length <= MAX_FRAME:
                self._skip_frame_start()
                continue
            if len(self.buffer) < som + length:
                break
            frames.append(bytes(self.buffer[:som + length]))
            del self.buffer[:som + length]
        return frames

    def _skip_frame_start(self):
        """Drops the SOM (and mark) at the head so the hunt resumes after it."""
        som = self.buffer.find(bytes([SOM]))
        del self.buffer[:som + 1 if som >= 0 else len(self.buffer)]


class Line:
    """The shared line: every PD hears every frame; whoever answers writes to the line."""

    def __init__(self, fd):
        self.fd = fd
        self.assembler = FrameAssembler()
        self.channels = []
        self.write_lock = threading.Lock()

    def received(self, data):
        for frame in self.assembler.feed(data, time.monotonic()):
            for channel in self.channels:
                channel.frames.append(frame)

    def write(self, data):
        with self.write_lock:
            view = memoryview(bytes(data))
            written = 0
            deadline = time.monotonic() + 1.0
            while written < len(view) and time.monotonic() < deadline:
                try:
                    written += os.write(self.fd, view[written:])
                except BlockingIOError:
                    select.select([], [self.fd], [], 0.05)
                except OSError:
                    return -1
            return written


class Channel:
    """The osdp_sys channel of one PD: never more than one frame per read (libosdp reads at most 64 bytes
    at a time, so a long frame is handed over in pieces, back to back)."""

    def __init__(self, line):
        self.line = line
        self.frames = []
        line.channels.append(self)

    def read(self, max_bytes):
        if not self.frames:
            return b""
        piece, rest = self.frames[0][:max_bytes], self.frames[0][max_bytes:]
        if rest:
            self.frames[0] = rest
        else:
            self.frames.pop(0)
        return piece

    def write(self, data):
        return self.line.write(data)

    def flush(self):
        # libosdp flushes before each reply; frames already queued are meant for it or its neighbours.
        pass


def capabilities(args):
    table = [
        (osdp_sys.CAP_CONTACT_STATUS_MONITORING, 1, args.inputs),
        (osdp_sys.CAP_OUTPUT_CONTROL, 1, args.outputs),
        (osdp_sys.CAP_CARD_DATA_FORMAT, 1, 0),
        (osdp_sys.CAP_READER_LED_CONTROL, 4, args.leds),
        (osdp_sys.CAP_READER_AUDIBLE_OUTPUT, 2, 1),
        (osdp_sys.CAP_READER_TEXT_OUTPUT, 1, 1),
        (osdp_sys.CAP_CHECK_CHARACTER_SUPPORT, 1, 0),
        (osdp_sys.CAP_COMMUNICATION_SECURITY, 1, 1),
    ]
    return [{"function_code": code, "compliance_level": level, "num_items": count}
            for code, level, count in table]


class Reader:
    """One libosdp PD and what the test asked it to do."""

    def __init__(self, address, index, line, args):
        self.address = address
        self.refusals_left = 0
        self.inputs = [0] * args.inputs
        self.tamper = 0
        self.power = 0
        self.online = None
        self.secure = None
        self.received_file = bytearray()
        flags = 0
        if args.install_mode:
            flags |= osdp_sys.FLAG_INSTALL_MODE
        if args.enforce_secure:
            flags |= osdp_sys.FLAG_ENFORCE_SECURE
        info = {
            "name": "PD-%d" % address, "address": address, "flags": flags, "channel": Channel(line),
            "baud_rate": args.baud, "version": args.version, "model": args.model,
            "vendor_code": args.vendor_code, "serial_number": (args.serial + index) & 0xFFFFFFFF,
            "firmware_version": args.firmware,
        }
        if args.scbk:
            info["scbk"] = bytes.fromhex(args.scbk)
        self.pd = osdp_sys.PeripheralDevice(info, capabilities=capabilities(args))
        self.pd.set_command_callback(self.on_command)
        self.pd.register_file_ops(0, {"open": self.file_open, "read": self.file_read,
                                      "write": self.file_write, "close": self.file_close})

    def on_command(self, command):
        """The CP told this PD to do something: report it, then obey or refuse (NAK) as the test asked."""
        _give_none_its_reference_back(None)
        try:
            fields = {key: (value.hex() if isinstance(value, (bytes, bytearray)) else value)
                      for key, value in command.items()}
            kind = COMMAND_NAMES.get(fields.pop("command", None), "unknown")
            if "type" in fields:  # keep our own "type" key for the command kind
                fields[kind + "_type"] = fields.pop("type")
            refused = self.refusals_left > 0
            if refused:
                self.refusals_left -= 1
            emit(event="command", address=self.address, type=kind, refused=refused, **fields)
            return (-1, None) if refused else (0, None)
        except Exception as error:  # an exception must never reach libosdp's C code
            emit(event="error", address=self.address, error="command callback: %r" % error)
            return (-1, None)

    # File transfer: the PD keeps what it receives and reports its size and checksum when done.
    def file_open(self, file_id, size):
        self.received_file = bytearray()
        emit(event="file_open", address=self.address, file_id=file_id, size=size)
        return 0

    def file_write(self, data, offset):
        if offset != len(self.received_file):
            return -1
        self.received_file += data
        return len(data)

    def file_read(self, size, offset):
        return b""

    def file_close(self, file_id):
        emit(event="file_closed", address=self.address, file_id=file_id, size=len(self.received_file),
             data_hex=self.received_file[:64].hex(), sum=sum(self.received_file) & 0xFFFFFFFF)
        return 0

    def report_state_changes(self):
        online, secure = bool(self.pd.is_online()), bool(self.pd.is_sc_active())
        if online != self.online:
            self.online = online
            emit(event="online", address=self.address, online=online)
        if secure != self.secure:
            self.secure = secure
            emit(event="sc", address=self.address, active=secure)

    def submit(self, event):
        self.pd.submit_event(event)


def card_event(request):
    if "bitstring" in request:
        bits = request["bitstring"]
        count = len(bits)
        data = (int(bits, 2) << ((8 - count % 8) % 8)).to_bytes((count + 7) // 8, "big")
    else:
        data = bytes.fromhex(request["hex"])
        count = int(request.get("bits", len(data) * 8))
    return {"event": osdp_sys.EVENT_CARDREAD, "reader_no": int(request.get("reader", 0)),
            "format": osdp_sys.CARD_FMT_RAW_WIEGAND if request.get("format") == "wiegand"
            else osdp_sys.CARD_FMT_RAW_UNSPECIFIED,
            "direction": 0, "length": count, "data": data}


def keypad_event(request):
    return {"event": osdp_sys.EVENT_KEYPRESS, "reader_no": int(request.get("reader", 0)),
            "data": bytes(KEY_CODES.get(key, ord(key)) for key in request["keys"])}


def input_event(reader, request):
    reader.inputs = [int(state) for state in request["states"]]
    return {"event": osdp_sys.EVENT_STATUS, "type": osdp_sys.STATUS_REPORT_INPUT, "report": bytes(reader.inputs)}


def local_event(reader, request):
    reader.tamper = int(request.get("tamper", reader.tamper))
    reader.power = int(request.get("power", reader.power))
    return {"event": osdp_sys.EVENT_STATUS, "type": osdp_sys.STATUS_REPORT_LOCAL,
            "report": bytes([reader.tamper, reader.power])}


EVENT_BUILDERS = {
    "card": lambda reader, request: card_event(request),
    "keys": lambda reader, request: keypad_event(request),
    "input": input_event,
    "local": local_event,
}


def handle(line, readers):
    """Acts on one stdin line; returns False when the peer should end."""
    try:
        request = json.loads(line)
    except ValueError as error:
        emit(event="error", error="bad json: %s" % error)
        return True
    command = request.get("cmd")
    if command == "quit":
        return False
    if command == "status":
        emit(event="status", pds=[{"address": r.address, "online": bool(r.pd.is_online()),
                                   "sc_active": bool(r.pd.is_sc_active())} for r in readers.values()])
        return True
    address = request.get("address", next(iter(readers)))
    reader = readers.get(address)
    if reader is None:
        emit(event="error", cmd=command, error="no PD at address %r" % address)
        return True
    try:
        if command == "nak":
            reader.refusals_left = int(request.get("count", 1))
        elif command in EVENT_BUILDERS:
            reader.submit(EVENT_BUILDERS[command](reader, request))
        else:
            emit(event="error", cmd=command, error="unknown cmd %r" % command)
            return True
        emit(event="ok", cmd=command, address=address)
    except Exception as error:
        emit(event="error", cmd=command, address=address, error=repr(error))
    return True


def configure_raw(fd, baud):
    tty.setraw(fd)
    attributes = termios.tcgetattr(fd)
    attributes[4] = attributes[5] = BAUD_RATES[baud]
    attributes[2] |= termios.CLOCAL | termios.CREAD
    attributes[6][termios.VMIN] = 0
    attributes[6][termios.VTIME] = 0
    termios.tcsetattr(fd, termios.TCSANOW, attributes)


def open_line(args):
    """Returns (fd to read and write, device path for the CP, descriptors to keep open)."""
    if args.device:
        fd = os.open(args.device, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        configure_raw(fd, args.baud)
        termios.tcflush(fd, termios.TCIOFLUSH)
        return fd, args.device, []
    controller, device = os.openpty()
    configure_raw(controller, args.baud)
    configure_raw(device, args.baud)
    os.set_blocking(controller, False)
    path = os.ttyname(device)
    if args.link:
        if os.path.lexists(args.link):
            os.unlink(args.link)
        os.symlink(path, args.link)
    # Holding the device end open lets the CP close and reopen it without a hang-up on our side.
    return controller, path, [device]


def main():
    parser = argparse.ArgumentParser(description="libosdp PDs on a pseudo-terminal for Keyway's tests.")
    parser.add_argument("--device", help="use this existing serial device instead of a new pty")
    parser.add_argument("--link", help="also point this symlink at the new pty (a stable name across restarts)")
    parser.add_argument("--baud", type=int, default=9600, choices=sorted(BAUD_RATES))
    parser.add_argument("--address", type=int, action="append", help="PD address 0-126, repeatable (multi-drop)")
    parser.add_argument("--vendor-code", type=lambda s: int(s, 0), default=0xA1B2C3)
    parser.add_argument("--model", type=int, default=1)
    parser.add_argument("--version", type=int, default=1)
    parser.add_argument("--serial", type=lambda s: int(s, 0), default=0x01020304,
                        help="serial number of the first PD (the next PDs count up)")
    parser.add_argument("--firmware", type=lambda s: int(s, 0), default=0x010203, help="0xMMmmbb")
    parser.add_argument("--inputs", type=int, default=4)
    parser.add_argument("--outputs", type=int, default=4)
    parser.add_argument("--leds", type=int, default=2)
    parser.add_argument("--scbk-file", help="file holding the Secure Channel base key, 32 hex digits "
                                            "(never on the command line: it is visible to all users)")
    parser.add_argument("--install-mode", action="store_true", help="accept SCBK-D and a new key by KEYSET")
    parser.add_argument("--enforce-secure", action="store_true", help="refuse commands outside Secure Channel")
    parser.add_argument("--log-level", type=int, default=osdp_sys.LOG_WARNING, help="libosdp log level (7 = debug)")
    args = parser.parse_args()
    args.address = args.address or [1]
    args.scbk = None
    if args.scbk_file:
        with open(args.scbk_file) as key_file:
            args.scbk = key_file.read().strip()
        if len(bytes.fromhex(args.scbk)) != 16:
            parser.error("--scbk-file must hold 32 hex digits")
    if len(set(args.address)) != len(args.address):
        parser.error("duplicate --address")

    osdp_sys.set_loglevel(args.log_level)
    fd, path, held = open_line(args)
    line = Line(fd)
    readers = {address: Reader(address, index, line, args) for index, address in enumerate(args.address)}
    emit(event="ready", device=path, addresses=args.address, baud=args.baud,
         secure=bool(args.scbk), install_mode=args.install_mode, pid=os.getpid())

    stopping = []
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda *_: stopping.append(True))
    stdin_fd = sys.stdin.fileno()
    pending_input = b""
    try:
        while not stopping:
            try:
                readable, _, _ = select.select([fd, stdin_fd], [], [], 0.002)
            except InterruptedError:
                continue
            if fd in readable:
                try:
                    line.received(os.read(fd, 4096))
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    time.sleep(0.05)  # EIO: nobody has an existing --device open yet
            if stdin_fd in readable:
                chunk = os.read(stdin_fd, 4096)
                if not chunk:
                    break
                pending_input += chunk
                while b"\n" in pending_input and not stopping:
                    request, pending_input = pending_input.split(b"\n", 1)
                    if request.strip() and not handle(request.decode(), readers):
                        stopping.append(True)
            for reader in readers.values():
                reader.pd.refresh()
                reader.report_state_changes()
    finally:
        emit(event="exit")
        for descriptor in held + [fd]:
            os.close(descriptor)
        if args.link and os.path.islink(args.link) and os.readlink(args.link) == path:
            os.unlink(args.link)


if __name__ == "__main__":
    main()
