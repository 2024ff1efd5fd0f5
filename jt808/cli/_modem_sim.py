"""``jt808 modem-sim``: the simulated Quectel modem (delegates to ``hal.modem_sim.main``).

Every argument after ``modem-sim`` goes to the simulator unchanged
(``jt808 modem-sim --help`` shows its options).
"""
from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.prefix_chars = "\0"      # hand every option, --help included, to the simulator
    parser.add_argument("sim_args", nargs=argparse.REMAINDER,
                        help="options of the simulator (see: jt808 modem-sim --help)")


def run(args: argparse.Namespace) -> int:
    from hal.modem_sim import main
    return main(list(args.sim_args))
