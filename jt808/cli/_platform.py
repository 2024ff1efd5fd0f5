"""``jt808 platform``: the reference platform on TCP and UDP, printing decoded traffic,
with a console (stdin, or ``--script FILE``) to command terminals (``_console``), and
with ``--media DIR`` a JT/T 1078 media server beside it writing the video to ``DIR``."""
from __future__ import annotations

import argparse
import contextlib
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
    parser.add_argument("--media", metavar="DIR",
                        help="serve a JT/T 1078 media server on the first --listen host and "
                             "write what it receives to DIR (console: live, stop, files, "
                             "playback, media; default off)")
    parser.add_argument("--media-port", type=int, default=0, metavar="PORT",
                        help="the media server's TCP and UDP port (default 0: any free "
                             "ones, printed at start)")
    parser.add_argument("--media-ip", metavar="IP",
                        help="the address terminals are told to send media to (default: "
                             "the --listen host, 127.0.0.1 when that is 0.0.0.0 or ::)")


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


def media_host(urls: list[str]) -> str:
    """The host of the first listen URL (brackets of an IPv6 address removed)."""
    return urls[0].split("://", 1)[1].rsplit(":", 1)[0].strip("[]")


async def _serve(urls: list[str], args: argparse.Namespace) -> None:
    from ..platform import MediaServer, Platform
    async with contextlib.AsyncExitStack() as stack:
        platform = await stack.enter_async_context(
            Platform(trace=None if args.quiet else _print))
        await platform.serve(urls)
        for scheme, address in platform.bound_addresses:
            print(f"listening on {scheme}://{address[0]}:{address[1]}", flush=True)
        media, media_ip = None, None
        if args.media:
            host = media_host(urls)
            media = await stack.enter_async_context(
                MediaServer(args.media, host=f"[{host}]" if ":" in host else host))
            await media.serve(args.media_port, args.media_port)
            media_ip = args.media_ip or ("127.0.0.1" if host in ("0.0.0.0", "::", "") else host)
            print(f"media server on tcp://{host}:{media.tcp_port} and "
                  f"udp://{host}:{media.udp_port}, terminals told {media_ip}, "
                  f"files in {media.directory}", flush=True)
        console = Console(platform, _print, timeout=args.reply_timeout, media=media,
                          media_ip=media_ip)
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
        if not 0 <= args.media_port <= 65535:
            raise UsageError(f"--media-port {args.media_port}: not a port (0-65535)")
        if args.media_ip and not args.media:
            raise UsageError("--media-ip needs --media DIR")
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
