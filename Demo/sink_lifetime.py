"""What the demo's sinks (smtp_sink.py, sms_sink.py) share: how they end with the service that started them."""
import os
import signal
import sys
import threading


def add_arguments(parser):
    parser.add_argument("--until-stdin-closes", action="store_true",
                        help="exit when standard input reaches its end (the process that started the sink is gone)")


def follow(options):
    """Takes SIGTERM and SIGINT back (a service that handles them itself starts its children with them ignored) and,
    with --until-stdin-closes, exits once standard input ends: the kernel closes the service's end however it ends,
    so a sink outlives no service, not even one killed outright."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if options.until_stdin_closes:
        def watch():
            while sys.stdin.buffer.read(4096):
                pass
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
