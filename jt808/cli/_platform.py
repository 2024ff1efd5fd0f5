"""``jt808 platform``: the reference platform on TCP and UDP, printing decoded traffic,
with a console (stdin, or ``--script FILE``) to command terminals (``_console``)."""
from __future__ import annotations

import argparse
import gc
import os
import sys

import anyio

from ..errors import JT808Error
from ._common import UsageError, parse_address, run_async
from ._console import DEFAULT_TIMEOUT, Console, file_lines, stdin_lines

DEFAULT_LISTEN = "0.0.0.0:6808"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--listen", action="append", metavar="ADDRESS",
                        help="HOST:PORT (TCP and UDP), tcp://HOST:PORT or udp://HOST:PORT to "
                             f"serve (repeatable; default {DEFAULT_LISTEN})")
    parser.add_argument("--no-udp", action="store_true",
                        help="serve TCP only (default: both)")
    parser.add_argument("--no-tcp", action="store_true",
                        help="serve UDP only (default: both)")
    parser.add_argument("--quiet", action="store_true",
                        help="do not print the traffic (default: print it)")
    parser.add_argument("--script", metavar="FILE",
                        help="run the console commands in FILE first, echoing each "
                             "(default none; 'quit' in it stops the platform)")
    parser.add_argument("--no-console", action="store_true",
                        help="do not read console commands from stdin (default: read them; "
                             "type 'help')")
    parser.add_argument("--reply-timeout", type=float, default=DEFAULT_TIMEOUT,
                        metavar="SECONDS", help="seconds to wait for a terminal's answer to "
                        f"a console command (default {DEFAULT_TIMEOUT:g})")


def listen_urls(args: argparse.Namespace) -> list[str]:
    """``HOST:PORT`` serves TCP and UDP (less ``--no-tcp``/``--no-udp``);
    ``tcp://HOST:PORT`` or ``udp://HOST:PORT`` serves that one."""
    schemes = [s for s, off in (("tcp", args.no_tcp), ("udp", args.no_udp)) if not off]
    if not schemes:
        raise UsageError("--no-tcp and --no-udp leave nothing to serve")
    urls: list[str] = []
    for text in args.listen or [DEFAULT_LISTEN]:
        scheme, host, port = parse_address(text, "--listen")
        host = f"[{host}]" if ":" in host else host
        urls.extend(f"{s}://{host}:{port}" for s in ([scheme] if scheme else schemes))
    return urls


def _print(line: str) -> None:
    print(line, flush=True)


async def _serve(urls: list[str], args: argparse.Namespace) -> None:
    from ..platform import Platform
    async with Platform(trace=None if args.quiet else _print) as platform:
        await platform.serve(urls)
        for scheme, address in platform.bound_addresses:
            print(f"listening on {scheme}://{address[0]}:{address[1]}", flush=True)
        console = Console(platform, _print, timeout=args.reply_timeout)
        if args.script and not await console.run(file_lines(args.script), echo=True):
            return
        if not args.no_console and not await console.run(stdin_lines()):
            return
        await anyio.sleep_forever()


def run(args: argparse.Namespace) -> int:
    # A server process holding thousands of sessions makes many small objects per report:
    # collect young objects less often (measured: p99 at 2,000 terminals 70 ms -> 13 ms).
    threshold = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        return _run(args)
    finally:
        gc.set_threshold(*threshold)       # when called in-process (tests), leave it as it was


def _run(args: argparse.Namespace) -> int:
    try:
        urls = listen_urls(args)
        if args.script and not os.path.isfile(args.script):
            raise UsageError(f"--script {args.script}: no such file")
        run_async(_serve, urls, args)
    except UsageError as exc:
        print(f"jt808 platform: {exc}", file=sys.stderr)
        return 2
    except (JT808Error, OSError, ValueError) as exc:
        print(f"jt808 platform: cannot serve: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("jt808 platform: stopped", file=sys.stderr, flush=True)
    return 0
