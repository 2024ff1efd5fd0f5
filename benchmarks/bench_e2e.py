"""End to end: ``python -m benchmarks.bench_e2e [--quick]``.

1. The reference platform's location reports per second on one core: the platform runs
   in its own process (``jt808 platform``); this process drives it over loopback TCP
   with pre-encoded 0x0200 frames (``CONNECTIONS`` links, ``WINDOW`` frames in flight
   on each) and counts the 0x8001 answers. The same drive against the plain-struct
   baseline platform (``benchmarks.baseline``) gives the ratio.
2. The simulator (``jt808.simulator``, in its own process) holding 100, 1,000 and
   10,000 terminals, one report every 5 s each, against the reference platform in
   another process: time, memory per terminal, p99 latency of 0x0200 (reports sent
   after the ramp, and all of them), lost. The ramp is N/500 s (at least 1 s): at 1,000
   connections a second the ramp's latency depended on what else ran on a 2-core
   machine. The 10,000 run lasts 80 s so that 60 s of it are steady reporting.

Targets (issue 7): zero lost, p99 < 200 ms, simulator < 50 KB per terminal at 10,000
terminals; the platform >= 20,000 reports per second on one core. ``--sizes 10000``
runs only the given simulator sizes; ``--no-throughput`` skips part 1.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

from jt808.codec import LocationReport, TerminalAuth, TerminalRegister, decode, encode
from jt808.frame import Framer, Version, pack

from ._timing import table

ROOT = Path(__file__).resolve().parents[1]
CONNECTIONS = 20
WINDOW = 64
REFERENCE = [sys.executable, "-m", "jt808.cli", "platform", "--listen", "127.0.0.1:0",
             "--no-udp", "--quiet"]
BASELINE = [sys.executable, "-m", "benchmarks.baseline", "serve", "0"]


class Server:
    """A platform in a child process; ``url`` read from its 'listening on' line."""

    def __init__(self, command: list[str]) -> None:
        self.proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)})
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening on "):
            self.close()
            raise RuntimeError(f"platform did not start: {line!r}")
        self.url = line.split()[-1]
        self.host, port = self.url.split("//")[1].rsplit(":", 1)
        self.port = int(port)

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_bytes(self) -> int:
        with open(f"/proc/{self.proc.pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# -- 1. platform throughput --------------------------------------------------------
def _frames(phone: str, count: int) -> bytes:
    report = LocationReport(0, 0x000C0003, 39.9405, 116.3553, 52, 50.0, 90,
                            dt.datetime(2024, 5, 1, 8, 30, 0))
    return b"".join(pack(encode(report, phone=phone, serial=(100 + i) & 0xFFFF,
                                version=Version.V2013)) for i in range(count))


async def _read_message(reader: asyncio.StreamReader, framer: Framer):
    while True:
        frames = framer.feed(await reader.read(4096))
        if frames:
            return decode(frames[0])


async def _login(host: str, port: int, phone: str):
    reader, writer = await asyncio.open_connection(host, port)
    framer = Framer()
    register = TerminalRegister(31, 115, "70111", "BENCH", phone[-7:], 1, "京A12345")
    writer.write(pack(encode(register, phone=phone, serial=0, version=Version.V2013)))
    code = (await _read_message(reader, framer)).auth_code
    writer.write(pack(encode(TerminalAuth(code), phone=phone, serial=1, version=Version.V2013)))
    await _read_message(reader, framer)
    return reader, writer


async def _drive(host: str, port: int, index: int, stop: float, counts: list[int]) -> None:
    phone = f"{13_700_000_000 + index:012d}"
    reader, writer = await _login(host, port, phone)
    burst = _frames(phone, WINDOW)
    flags = 0
    while time.perf_counter() < stop:
        writer.write(burst)
        wanted = flags + 2 * WINDOW
        while flags < wanted:
            data = await reader.read(65536)
            if not data:
                return
            flags += data.count(0x7E)
        counts[index] += WINDOW
    writer.close()


async def _drive_all(host: str, port: int, seconds: float) -> tuple[int, float]:
    counts = [0] * CONNECTIONS
    stop = time.perf_counter() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(_drive(host, port, i, stop, counts) for i in range(CONNECTIONS)))
    return sum(counts), time.perf_counter() - started


def platform_throughput(command: list[str], seconds: float) -> tuple[float, float]:
    """(acknowledged 0x0200 per wall second, per CPU second of the platform process)."""
    server = Server(command)
    try:
        asyncio.run(_drive_all(server.host, server.port, 1.0))        # warm up
        cpu = server.cpu_seconds()
        count, elapsed = asyncio.run(_drive_all(server.host, server.port, seconds))
        used = server.cpu_seconds() - cpu
        return count / elapsed, count / max(used, 1e-3)
    finally:
        server.close()


# -- 2. simulator against the reference platform ------------------------------------
def _simulate(config) -> dict:
    from jt808.simulator import run_simulation
    return run_simulation(config, None).to_dict()


def simulator_run(terminals: int, duration: float, rate: float = 5.0) -> dict:
    """One simulator process against one reference platform process; figures."""
    from jt808.simulator import SimConfig, Stats
    server = Server(REFERENCE)
    try:
        config = SimConfig(server.url, terminals=terminals, duration=duration, rate=rate,
                           ramp=max(1.0, terminals / 500), drain=15.0, progress=False)
        cpu = server.cpu_seconds()
        started = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            stats = Stats.from_dict(pool.apply(_simulate, (config,)))
        elapsed = time.perf_counter() - started
        platform_cpu = server.cpu_seconds() - cpu
        platform_rss = server.rss_bytes()
    finally:
        server.close()
    reports = stats.latency.get(0x0200)
    acked = reports.count if reports else 0
    return {"terminals": terminals, "held": stats.counters["ever_authenticated"],
            "time": elapsed, "memory": stats.memory_per_terminal, "p99": stats.p99(),
            "p50": _percentile(stats, 50), "p99_all": stats.p99(0x0200),
            "lost": stats.lost, "reports": acked, "reports_s": acked / duration,
            "platform_cpu": platform_cpu / elapsed, "platform_rss": platform_rss,
            "reconnects": stats.counters["reconnects"], "late": stats.counters["late"],
            "sent": stats.counters["sent"], "acked": stats.counters["acknowledged"]}


def _percentile(stats, p: float) -> float:
    from jt808.simulator._stats import STEADY_LOCATION
    histogram = stats.latency.get(STEADY_LOCATION)
    return histogram.percentile(p) if histogram else 0.0


DURATIONS = {100: 20.0, 1_000: 30.0, 10_000: 80.0}


def simulator_sizes(quick: bool, sizes: list[int] | None = None) -> list[tuple[int, float]]:
    if quick:
        return [(100, 8.0)]
    return [(n, DURATIONS.get(n, 80.0)) for n in (sizes or list(DURATIONS))]


def simulator_table(results: list[dict]) -> str:
    lines = [f"{'terminals':>9} {'held':>6} {'time s':>7} {'KB/term':>8} {'p50 ms':>7} "
             f"{'p99 ms':>7} {'(all)':>8} "
             f"{'sent':>7} {'acked':>7} {'lost':>5} {'reports/s':>9} {'platform CPU':>12} {'platform RSS':>12}"]
    for r in results:
        lines.append(f"{r['terminals']:>9,} {r['held']:>6} {r['time']:>7.1f} "
                     f"{r['memory'] / 1024:>8.1f} {r['p50'] * 1000:>7.1f} "
                     f"{r['p99'] * 1000:>7.1f} "
                     f"{r['p99_all'] * 1000:>8.1f} {r['sent']:>7} {r['acked']:>7} "
                     f"{r['lost']:>5} "
                     f"{r['reports_s']:>9.0f} {r['platform_cpu'] * 100:>11.0f}% "
                     f"{r['platform_rss'] / 2**20:>9.0f} MB")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="+", metavar="N",
                        help="simulator sizes to run (default 100 1000 10000)")
    parser.add_argument("--no-throughput", action="store_true")
    args = parser.parse_args()
    if not args.no_throughput:
        throughput(3.0 if args.quick else 10.0)
        print()
    results = []
    for n, duration in simulator_sizes(args.quick, args.sizes):
        results.append(simulator_run(n, duration))
    print(simulator_table(results))


def throughput(seconds: float) -> None:
    ref, ref_cpu = platform_throughput(REFERENCE, seconds)
    base, base_cpu = platform_throughput(BASELINE, seconds)
    print(table([("reference platform 0x0200 acked", f"{ref:,.0f}/s ({ref_cpu:,.0f}/CPU-s)",
                  ">= 20,000/s on one core"),
                 ("baseline platform 0x0200 acked", f"{base:,.0f}/s ({base_cpu:,.0f}/CPU-s)",
                  "")]))


if __name__ == "__main__":
    main()
