"""The ``jt808`` command: one sub-command per job, chosen from a table."""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

__all__ = ["main"]

# sub-command -> (module, help); each module has add_arguments(parser) and run(args) -> int
_COMMANDS: dict[str, tuple[str, str]] = {
    "decode": ("jt808._cli_decode", "dissect JT/T 808 frames from hex, a file or stdin"),
    "platform": ("jt808._cli_platform", "run the reference platform (TCP and UDP), print traffic"),
    "modem-sim": ("jt808._cli_modem_sim", "run the simulated Quectel modem on ptys"),
    "run": ("jt808._cli_run", "run a terminal against a platform"),
    "demo": ("jt808._cli_demo", "terminal, modem simulator and platform talking on one machine"),
    "simulate": ("jt808._cli_simulate", "load a platform with many simulated terminals"),
}


def register(name: str, module: str, help_text: str) -> None:
    """Add a sub-command implemented by ``module`` (used by the package's own modules)."""
    _COMMANDS[name] = (module, help_text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jt808", description="JT/T 808 terminal toolkit")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more logging (-v info, -vv debug)")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in _COMMANDS.items():
        sub = subs.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(_module=module)
        _load(module).add_arguments(sub)
    return parser


def _load(module: str):
    return importlib.import_module(module)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return _load(args._module).run(args) or 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
