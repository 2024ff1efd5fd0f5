"""Event-loop stall per stored position (issue 14): how long the terminal's event loop is
blocked while positions go to the blind-area store (link down, so every report is
stored; ``synchronous=FULL`` sqlite, one fsync per commit).

A ticker task yields to the loop over and over and records how long each yield took:
the time the loop spent in somebody else's synchronous work (the reporting task yields
once after each report, as the terminal's reporter sleeps between reports). Reported: p50 / p99 / max
of those stalls while reporting, and positions stored per second, for positions
reported one after another and for bursts of concurrent reports.

    python -m benchmarks.bench_terminal_store [--positions 300] [--burst 20] [--dir PATH]

Only the public ``Terminal`` API is used, so the same script measures another tree of
the package (``cd <tree> && python -m benchmarks.bench_terminal_store``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import anyio

sys.path.insert(0, str(Path.cwd()))

from jt808.codec import LocationReport  # noqa: E402
from jt808.terminal import Terminal  # noqa: E402


def report(n: int) -> LocationReport:
    return LocationReport(0, 2, 31.0 + n * 1e-5, 121.0, 10, 36.5, 90,
                          dt.datetime(2024, 1, 1) + dt.timedelta(seconds=n))


class Ticker:
    def __init__(self) -> None:
        self.stalls: list[float] = []
        self.running = True

    async def run(self) -> None:
        while self.running:
            start = time.perf_counter()
            await anyio.sleep(0)
            self.stalls.append(time.perf_counter() - start)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def measure(directory: Path, positions: int, burst: int) -> dict[str, tuple]:
    results = {}
    for mode in ("sequential", f"bursts of {burst}"):
        store = directory / f"blind-{mode.split()[0]}.sqlite"
        terminal = Terminal("tcp://127.0.0.1:9", phone="13800138000", store_path=store)
        ticker = Ticker()
        async with terminal:
            async with anyio.create_task_group() as tg:
                tg.start_soon(ticker.run)
                await anyio.sleep(0.05)
                ticker.stalls.clear()
                start = time.perf_counter()
                if mode == "sequential":
                    for n in range(positions):
                        await terminal.report_location(report(n))
                        await anyio.sleep(0)      # a reporter sleeps between reports
                else:
                    for first in range(0, positions, burst):
                        async with anyio.create_task_group() as group:
                            for n in range(first, min(positions, first + burst)):
                                group.start_soon(terminal.report_location, report(n))
                        await anyio.sleep(0)
                elapsed = time.perf_counter() - start
                ticker.running = False
            stored = terminal.store.count()
        ms = [s * 1000 for s in ticker.stalls]
        results[mode] = (percentile(ms, 50), percentile(ms, 99), max(ms),
                         stored / elapsed, stored)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--positions", type=int, default=300)
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the store files go (default: a temporary directory)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        results = anyio.run(measure, Path(tmp), args.positions, args.burst)
    import jt808
    print(f"package: {Path(jt808.__file__).parent}")
    print(f"{'mode':<16} {'stall p50':>10} {'stall p99':>10} {'stall max':>10} "
          f"{'stored/s':>9} {'stored':>7}")
    for mode, (p50, p99, worst, rate, stored) in results.items():
        print(f"{mode:<16} {p50:>8.3f}ms {p99:>8.3f}ms {worst:>8.2f}ms {rate:>9.0f} {stored:>7}")


if __name__ == "__main__":
    main()
