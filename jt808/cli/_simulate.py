"""``jt808 simulate``: many terminals (anyio tasks) load a platform; latency report."""
from __future__ import annotations

import argparse
import sys

from ..frame import Version
from ._common import UsageError, parse_address
from ._run_options import DEFAULT_VERSION

_VERSIONS = {"2013": Version.V2013, "2019": Version.V2019}


def _positive(kind):
    def convert(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
        return value
    return convert


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", required=True, metavar="ADDRESS",
                        help="platform to load: HOST:PORT (TCP), tcp://HOST:PORT or "
                             "udp://HOST:PORT (required)")
    parser.add_argument("--terminals", type=_positive(int), default=10, metavar="N",
                        help="how many terminals (default 10)")
    parser.add_argument("--duration", type=_positive(float), default=10.0, metavar="SECONDS",
                        help="run time from the first connection, ramp included (default 10)")
    parser.add_argument("--rate", type=_positive(float), default=5.0, metavar="SECONDS",
                        help="seconds between location reports of one terminal (default 5)")
    parser.add_argument("--ramp", type=float, default=None, metavar="SECONDS",
                        help="spread connections over this time (default N/1000 s)")
    parser.add_argument("--processes", type=_positive(int), default=1, metavar="K",
                        help="spread the terminals over K processes (default 1)")
    parser.add_argument("--version", choices=sorted(_VERSIONS), default=DEFAULT_VERSION,
                        help=f"protocol version (default {DEFAULT_VERSION})")
    parser.add_argument("--heartbeat", type=_positive(int), default=30, metavar="SECONDS",
                        help="heartbeat interval when idle (parameter 0x0001, default 30)")
    parser.add_argument("--reply-timeout", type=_positive(int), default=10, metavar="SECONDS",
                        help="first reply timeout before a retransmission (default 10)")
    parser.add_argument("--late", type=_positive(float), default=1.0, metavar="SECONDS",
                        help="a reply slower than this counts as late (default 1)")
    parser.add_argument("--drain", type=float, default=10.0, metavar="SECONDS",
                        help="after the run, wait this long for missing replies (default 10)")
    parser.add_argument("--phone-base", type=int, default=13_900_000_000,
                        help="phone number of terminal 0; terminal i gets base + i "
                             "(default 13900000000)")
    parser.add_argument("--no-progress", action="store_true",
                        help="no live progress line (default: shown)")


def config_from(args: argparse.Namespace):
    from ..simulator import SimConfig
    try:
        scheme, host, port = parse_address(args.server, "--server")
    except UsageError as exc:
        raise ValueError(str(exc)) from None
    return SimConfig(f"{scheme or 'tcp'}://{host}:{port}", terminals=args.terminals, duration=args.duration,
                     rate=args.rate, ramp=args.ramp, processes=args.processes,
                     version=_VERSIONS[args.version], phone_base=args.phone_base,
                     heartbeat=args.heartbeat, reply_timeout=args.reply_timeout,
                     late=args.late, drain=max(0.0, args.drain),
                     progress=not args.no_progress)


def run(args: argparse.Namespace) -> int:
    from ..simulator import format_report, raise_file_limit, run_simulation
    try:
        config = config_from(args)
    except ValueError as exc:
        print(f"jt808 simulate: {exc}", file=sys.stderr)
        return 2
    per_process = -(-config.terminals // config.processes)
    for note in raise_file_limit(per_process):   # inherited by the worker processes
        print(f"jt808 simulate: {note}", file=sys.stderr, flush=True)
    stats = run_simulation(config, sys.stderr)
    print(format_report(stats), flush=True)
    failed = stats.counters["ever_authenticated"] < stats.counters["terminals"] \
        or stats.counters["terminals"] < config.terminals
    failed = failed or stats.counters["terminal_errors"] > 0
    return 1 if stats.lost or failed else 0
