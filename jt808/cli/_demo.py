"""``jt808 demo``: a whole terminal-platform conversation on one machine, no hardware,
in JT/T 808-2019 (the demo itself is ``jt808.demo``)."""
from __future__ import annotations

import argparse
import sys

from ..errors import JT808Error
from ._common import run_async


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mini", action="store_true",
                        help="use the minimal TerminalSession client, not "
                             "jt808.terminal.Terminal (default off)")
    parser.add_argument("--direct", action="store_true",
                        help="plain TCP to the platform instead of the simulated modem "
                             "(default off)")
    parser.add_argument("--quiet", action="store_true",
                        help="print only stages and summary (default off)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="give up after this many seconds (default 60)")


def run(args: argparse.Namespace) -> int:
    from ..demo import DemoOptions, run_demo
    options = DemoOptions(mini=args.mini, direct=args.direct, quiet=args.quiet,
                          timeout=args.timeout)
    try:
        return run_async(run_demo, options)
    except TimeoutError:
        print(f"jt808 demo: did not finish within {args.timeout:g} s", file=sys.stderr)
        return 1
    except (JT808Error, OSError) as exc:
        print(f"jt808 demo: {exc}", file=sys.stderr)
        return 1
