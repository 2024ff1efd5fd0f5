"""Event-loop stall per 0x8301 / 0x8401 (issue 14): how long the terminal's event loop
is blocked while it keeps a platform's event list (0x8301) or phone book (0x8401) in its
small JSON files next to the blind-area store.

A reference ``Platform`` and a ``Terminal`` (JT/T 808-2013, loopback TCP, one process,
one event loop) are linked; the platform sends ``--messages`` commands of each kind, one
after another. A ticker task yields to the loop over and over and records how long each
yield took (the time the loop spent in somebody else's synchronous work). Per message,
the worst stall between sending it and its answer; reported: p50 / p99 of that per
message, the worst stall of the run and messages answered per second (a write now ends
with fsync before the answer, so fewer per second than a tree that does not fsync).

``--write-on-loop`` (this tree only) makes the handlers write the same atomic, fsync'd
file on the loop, as the tree before issue 14 did without the fsync: what moving the
write off the loop avoids. A full (generation 2) garbage collection of the process, 10-20
ms here, shows as the odd worst stall; it is not the store's. ``--flash-ms 20`` (this
tree) makes each write 20 ms slower, as on a slow flash. Both sides'
framing and sessions run on the same loop, so a few tens of µs per message are theirs.

    python -m benchmarks.bench_terminal_small_store [--messages 200] [--dir PATH]

Only public API is used, so the same script measures another tree of the package
(``cd <tree> && python <this file>``; the ``package:`` line says which was measured).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import anyio

sys.path.insert(0, str(Path.cwd()))

from jt808.codec import Contact, EventItem, EventSetting, PhoneBookSetting  # noqa: E402
from jt808.frame import Version  # noqa: E402
from jt808.platform import Platform  # noqa: E402
from jt808.terminal import Terminal  # noqa: E402

PHONE = "13800138000"


def events(n: int) -> EventSetting:
    """Replace the event list with 20 events (a few hundred bytes of JSON)."""
    return EventSetting(1, tuple(EventItem(i, f"event {n}-{i} 道路拥堵") for i in range(20)))


def book(n: int) -> PhoneBookSetting:
    """Replace the phone book with 50 contacts (~4 KB of JSON)."""
    return PhoneBookSetting(1, tuple(Contact(3, f"139{n:04d}{i:04d}", f"contact {i} 联系人")
                                     for i in range(50)))


class Ticker:
    """``period`` 0: yields over and over, a stall is how long one yield took (the loop
    never idles: a worker thread has to take the GIL from a busy loop). ``period`` > 0:
    sleeps that long, a stall is how late it woke (the loop idles as a terminal's does)."""

    def __init__(self, period: float) -> None:
        self.period = period
        self.samples: list[tuple[float, float]] = []     # (end time, stall)
        self.running = True

    async def run(self) -> None:
        while self.running:
            start = time.perf_counter()
            await anyio.sleep(self.period)
            end = time.perf_counter()
            self.samples.append((end, max(0.0, end - start - self.period)))

    def between(self, start: float, end: float) -> list[float]:
        return [s for t, s in self.samples if start <= t <= end]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def measure(directory: Path, messages: int, period: float) -> dict[str, tuple]:
    results = {}
    async with Platform(auth_codes={PHONE: "BENCH"}) as platform:
        await platform.serve("tcp://127.0.0.1:0")
        terminal = Terminal(platform.url("tcp"), phone=PHONE, version=Version.V2013,
                            auth_code="BENCH",
                            params={0x0001: 0, 0x0002: 5, 0x0003: 0},
                            store_path=directory / "blind.sqlite")
        async with terminal, anyio.create_task_group() as tg:
            await terminal.connect()
            assert (await terminal.login()).result == 0
            for name, make in (("0x8301 events", events), ("0x8401 phone book", book)):
                ticker = Ticker(period)
                tg.start_soon(ticker.run)
                await platform.request(PHONE, make(0))        # first file, warm-up
                per_message = []
                begin = time.perf_counter()
                for n in range(1, messages + 1):
                    start = time.perf_counter()
                    reply = await platform.request(PHONE, make(n))
                    assert reply.result == 0, reply
                    per_message.append(max(ticker.between(start, time.perf_counter()),
                                           default=0.0))
                elapsed = time.perf_counter() - begin
                ticker.running = False
                ms = [s * 1000 for s in per_message]
                results[name] = (percentile(ms, 50), percentile(ms, 99), max(ms),
                                 messages / elapsed)
            await terminal.close()
    return results


def write_on_loop() -> None:
    """The small stores' ``save_off_loop`` replaced by the synchronous ``save`` (private
    API of this tree: a comparison, not a use)."""
    from jt808.terminal._small_store import SmallStore

    async def save_on_loop(self: SmallStore, limiter: object = None) -> None:
        self.save()
    SmallStore.save_off_loop = save_on_loop  # type: ignore[method-assign]


def slow_flash(seconds: float) -> None:
    """Every small-file write of this tree sleeps ``seconds`` first (a flash whose fsync
    takes that long: SD cards and NOR flash take 5-50 ms; this disk ~0.3 ms)."""
    from jt808.terminal import _small_store
    write = _small_store.atomic_write

    def slow_write(path: Path, text: str) -> None:
        time.sleep(seconds)
        write(path, text)
    _small_store.atomic_write = slow_write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--write-on-loop", action="store_true",
                        help="this tree's handlers write on the loop (comparison)")
    parser.add_argument("--flash-ms", type=float, default=0.0,
                        help="this tree: each small-file write sleeps that long first "
                             "(a slow flash fsync, simulated)")
    parser.add_argument("--period", type=float, default=0.0,
                        help="ticker: 0 yields over and over; > 0 s: timer lateness")
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the store files go (default: a temporary directory)")
    args = parser.parse_args()
    if args.write_on_loop:
        write_on_loop()
    if args.flash_ms:
        slow_flash(args.flash_ms / 1000)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        results = anyio.run(measure, Path(tmp), args.messages, args.period)
    import jt808
    print(f"package: {Path(jt808.__file__).parent}; ticker "
          + ("yields" if args.period == 0 else f"lateness of a {args.period * 1000:g} ms sleep")
          + ("; writes on the loop" if args.write_on_loop else "")
          + (f"; flash +{args.flash_ms:g} ms" if args.flash_ms else ""))
    print(f"{'message':<18} {'stall p50':>10} {'stall p99':>10} {'stall max':>10} {'msg/s':>6}")
    for name, (p50, p99, worst, rate) in results.items():
        print(f"{name:<18} {p50:>8.3f}ms {p99:>8.3f}ms {worst:>8.2f}ms {rate:>6.0f}")


if __name__ == "__main__":
    main()
