"""The ``jt808`` command: one sub-command per job, chosen from a table.

Each command is a module here (``_decode``, ``_platform``, …) with
``add_arguments(parser)`` and ``run(args) -> int``; what they share is in ``_common``.
The CLI sits on top of the package: nothing in ``jt808`` imports it.
"""
from __future__ import annotations

import argparse
import logging
from types import ModuleType

from . import _decode, _demo, _modem_sim, _platform, _run, _simulate

__all__ = ["main", "build_parser"]

# sub-command -> (module, help); each module has add_arguments(parser) and run(args) -> int
_COMMANDS: dict[str, tuple[ModuleType, str]] = {
    "decode": (_decode, "dissect JT/T 808 frames from hex, a file or stdin"),
    "platform": (_platform, "run the reference platform (TCP and UDP), print traffic"),
    "modem-sim": (_modem_sim, "run the simulated Quectel modem on ptys"),
    "run": (_run, "run a terminal against a platform"),
    "demo": (_demo, "terminal, modem simulator and platform talking on one machine"),
    "simulate": (_simulate, "load a platform with many simulated terminals"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jt808", description="JT/T 808 terminal toolkit")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more logging (-v info, -vv debug)")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in _COMMANDS.items():
        sub = subs.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(_module=module)
        module.add_arguments(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args._module.run(args) or 0
    except KeyboardInterrupt:
        return 130
