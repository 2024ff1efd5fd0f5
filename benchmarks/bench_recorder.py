"""The recorder's position history (issue 15): ``python -m benchmarks.bench_recorder``.

Targets: noting a report (``PositionHistory.add``, on the event loop) < 20 µs; a full
history (2880 minute and 360 hour blocks) < 2 MB; the largest 0x08 answer (520
blocks, 64 KB) made into its recorder frame < 5 ms of loop time (the typed blocks,
decoded as a platform would, are shown too); writing the whole history to sqlite
(worker thread) < 1 s.
"""
from __future__ import annotations

import datetime as dt
import tempfile
import time
import tracemalloc
from pathlib import Path

import anyio

from jt808.codec import LocationReport, RecorderFrame, SpeedRecords
from jt808.terminal._position_history import HOURS_KEPT, MINUTES_KEPT, PositionHistory

from ._timing import best_us, table

T0 = dt.datetime(2024, 1, 1)


def _report(i: int) -> LocationReport:
    return LocationReport(0, 2, 22.5 + i * 1e-5, 113.9, 30, 60.0 + i % 20, 90,
                          T0 + dt.timedelta(seconds=7 * i))


def _full() -> PositionHistory:
    history = PositionHistory(None)
    for i in range(MINUTES_KEPT * 60 // 7 + 60):            # every 7 s for 48 h+
        history.add(_report(i))
    for h in range(HOURS_KEPT):                              # and 360 distinct hours
        history.add(_report(0).__class__(0, 2, 22.5, 113.9, 30, 50.0, 90,
                                         T0 - dt.timedelta(hours=h + 1)))
    return history


async def _answers(history: PositionHistory) -> tuple[int, float, float]:
    """(answer bytes, ms for the answer as sent, ms for the typed blocks), timed on the
    loop (best of 5)."""
    raw, typed = [], []
    for _ in range(5):
        start = time.perf_counter()
        data = await history.record_data(0x08, None, None, 520)
        length = len(RecorderFrame(0x08, data).encode())
        raw.append(time.perf_counter() - start)
        start = time.perf_counter()
        minutes = await history.speed_minutes(None, None, 520)
        RecorderFrame(0x08, SpeedRecords(tuple(minutes))).encode()
        typed.append(time.perf_counter() - start)
    return length, min(raw) * 1000, min(typed) * 1000


def main() -> None:
    reports = [_report(i) for i in range(1000)]
    history = PositionHistory(None)
    index = iter(range(10**9))
    add_us = best_us(lambda: history.add(reports[next(index) % 1000]), number=20_000)
    tracemalloc.start()
    full = _full()
    size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    length, answer_ms, typed_ms = anyio.run(_answers, full)
    with tempfile.TemporaryDirectory() as tmp:
        full.path = Path(tmp) / "history.sqlite"
        start = time.perf_counter()
        anyio.run(full.flush)
        flush_s = time.perf_counter() - start
    print(table([
        ("add a report", f"{add_us:.1f} µs", "< 20 µs"),
        (f"full history ({len(full.blocks['speed'])} min, {len(full.blocks['position'])} h)",
         f"{size / 1e6:.2f} MB", "< 2 MB"),
        (f"0x08 answer, 520 blocks ({length} B)", f"{answer_ms:.1f} ms", "< 5 ms"),
        ("the same, typed blocks built and encoded", f"{typed_ms:.1f} ms", "-"),
        ("flush the whole history", f"{flush_s * 1000:.0f} ms", "< 1 s"),
    ]))


if __name__ == "__main__":
    main()
