"""The ``jt808`` command: one sub-command per job, chosen from a table.

Each command is a module here (``_decode``, ``_platform``, …) with
``add_arguments(parser)`` and ``run(args) -> int``; what they share is in ``_common``.
The CLI sits on top of the package: nothing in ``jt808`` imports it.
"""
from __future__ import annotations

import argparse
import logging
from types import ModuleType
from typing import NoReturn

from .. import __version__
from . import _decode, _demo, _modem_sim, _platform, _run, _simulate
from ._run_options import DEFAULT_VERSION

__all__ = ["main", "build_parser", "DEFAULT_VERSION"]

# sub-command -> (module, help); each module has add_arguments(parser) and run(args) -> int
_COMMANDS: dict[str, tuple[ModuleType, str]] = {
    "decode": (_decode, "dissect JT/T 808 frames from hex, a file or stdin"),
    "platform": (_platform, "run the reference platform (TCP and UDP), print traffic, "
                           "command terminals from a console"),
    "modem-sim": (_modem_sim, "run the simulated Quectel modem on ptys"),
    "run": (_run, "run a terminal against a platform, printing its state"),
    "demo": (_demo, "terminal, modem simulator and platform talking on one machine"),
    "simulate": (_simulate, "load a platform with many simulated terminals"),
}


#: commands that hand every argument to another program (no -v of ours after them)
_PASS_THROUGH = frozenset({"modem-sim"})
_VERBOSE_HELP = "more output: -v messages, -vv frames and debug logging (default off)"


class OneLineParser(argparse.ArgumentParser):
    """A command-line mistake is one line on stderr saying what to try, exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="jt808", description="JT/T 808 terminal toolkit. The protocol version is "
        f"JT/T 808-{DEFAULT_VERSION} unless a command's --version says otherwise.")
    parser.add_argument("-v", "--verbose", action="count", default=0, help=_VERBOSE_HELP)
    parser.add_argument("-V", "--version", action="version",
                        version=f"jt808 {__version__} (JT/T 808-2011/2013/2019; default "
                                f"{DEFAULT_VERSION})", help="print the version and exit")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in _COMMANDS.items():
        sub = subs.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(_module=module)
        if name not in _PASS_THROUGH:    # -v after the command too; added to the one before
            sub.add_argument("-v", "--verbose", action="count", dest="verbose_after",
                             default=argparse.SUPPRESS, help=_VERBOSE_HELP)
        module.add_arguments(sub)
    return parser


def verbosity(args: argparse.Namespace) -> int:
    return args.verbose + getattr(args, "verbose_after", 0)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:            # --help, --version, a mistake: no exception out
        return exc.code if isinstance(exc.code, int) else 2
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity(args), logging.DEBUG)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args._module.run(args) or 0
    except KeyboardInterrupt:
        return 130
