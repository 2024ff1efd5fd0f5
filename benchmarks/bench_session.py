"""Session layer: ``python -m benchmarks.bench_session``.

- messages per second through a ``TerminalSession``/``PlatformSession`` pair in one
  process: the terminal sends 0x0200, the platform decodes it and answers 0x8001, the
  terminal matches the reply (one round trip = one message each way);
- peak memory of 10,000 idle ``PlatformSession``s and ``TerminalSession``s
  (tracemalloc; target < 20 KB each), with the parts each session allocates.
"""
from __future__ import annotations

import collections
import datetime as dt
import gc
import time
import tracemalloc
from collections.abc import Callable

from jt808.codec import LocationReport
from jt808.frame import Framer, Version
from jt808.session import (AUTHENTICATED, MessageReceived, PlatformSession, Reassembler,
                           ReplyReceived, SentStore, TerminalSession)

from ._timing import table

PHONE = "013800138000"
SESSION_TARGET = 20 * 1024


def report() -> LocationReport:
    return LocationReport(0, 0x000C0003, 39.9405, 116.3553, 52, 50.0, 90,
                          dt.datetime(2024, 5, 1, 8, 30, 0))


def _authenticated_pair() -> tuple[TerminalSession, PlatformSession]:
    terminal = TerminalSession(PHONE, Version.V2013, state=AUTHENTICATED)
    platform = PlatformSession(PHONE, Version.V2013, state=AUTHENTICATED)
    return terminal, platform


def round_trips_per_second(count: int = 20_000) -> float:
    """0x0200 up + 0x8001 back through both sessions, one at a time."""
    terminal, platform = _authenticated_pair()
    message = report()
    now = 0.0
    started = time.perf_counter()
    for _ in range(count):
        terminal.send(message, now)
        platform.receive_data(terminal.data_to_send(), now)
        event = platform.next_event()
        assert isinstance(event, MessageReceived)
        platform.reply(event.header, 0, now)
        terminal.receive_data(platform.data_to_send(), now)
        assert isinstance(terminal.next_event(), ReplyReceived)
    return count / (time.perf_counter() - started)


def platform_reports_per_second(count: int = 20_000, batch: int = 50) -> float:
    """The platform side alone: pre-encoded 0x0200 frames in, 0x8001 bytes out."""
    terminal, platform = _authenticated_pair()
    message = report()
    chunks = []
    for _ in range(count // batch):
        for _ in range(batch):
            terminal.send(message, 0.0)
            terminal.pending.clear()
        chunks.append(terminal.data_to_send())
    started = time.perf_counter()
    for chunk in chunks:
        platform.receive_data(chunk, 0.0)
        while (event := platform.next_event()) is not None:
            platform.reply(event.header, 0, 0.0)
        platform.data_to_send()
    return count / (time.perf_counter() - started)


def bytes_each(factory: Callable[[], object], count: int = 10_000) -> float:
    """Peak traced bytes of ``count`` live objects from ``factory``, per object."""
    factory()                                  # warm caches and imports outside the trace
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    keep = [factory() for _ in range(count)]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del keep
    return (peak - base) / count


#: Parts of one session, measured alone to find where its memory goes.
PARTS: dict[str, Callable[[], object]] = {
    "Framer": lambda: Framer(Version.V2013),
    "Reassembler": lambda: Reassembler(),
    "SentStore": lambda: SentStore(),
    "deque (events)": collections.deque,
    "params dict": lambda: dict({1: 60, 2: 30, 3: 3, 4: 30, 5: 3, 6: 60, 7: 3}),
}


def session_memory(count: int = 10_000) -> dict[str, float]:
    return {"PlatformSession": bytes_each(PlatformSession, count),
            "TerminalSession": bytes_each(lambda: TerminalSession(PHONE), count)}


def rows(quick: bool = False) -> list[tuple[str, str, str]]:
    n = 3_000 if quick else 20_000
    out = [("session pair 0x0200 up + 0x8001 back", f"{round_trips_per_second(n):,.0f} msg/s", ""),
           ("PlatformSession: 0x0200 in, 0x8001 out (batches of 50)",
            f"{platform_reports_per_second(n):,.0f} msg/s", "")]
    count = 2_000 if quick else 10_000
    for name, size in session_memory(count).items():
        out.append((f"{count:,} idle {name}: memory each", f"{size / 1024:.1f} KB", "< 20 KB"))
    for name, factory in PARTS.items():
        out.append((f"  of which {name}", f"{bytes_each(factory, count) / 1024:.2f} KB", ""))
    return out


def main() -> None:
    print(table(rows()))


if __name__ == "__main__":
    main()
