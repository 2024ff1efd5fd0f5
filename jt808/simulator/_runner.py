"""Run many simulated terminals as anyio tasks in one process, or spread over processes."""
from __future__ import annotations

import contextlib
import gc
import multiprocessing
import queue as queue_module
import sys
import time
from collections.abc import Callable
from typing import IO, Any

import anyio

from ._config import SimConfig
from ._route import SharedRoute
from ._stats import Stats, progress_line
from ._system import raise_file_limit, rss_bytes
from ._terminal import Clock, SimTerminal

__all__ = ["simulate", "run_simulation", "Progress"]

Snapshot = Callable[[dict[str, int]], None]


async def simulate(config: SimConfig, *, first: int = 0, count: int | None = None,
                   on_progress: Snapshot | None = None) -> Stats:
    """Run terminals ``first .. first+count-1`` of ``config`` in this event loop.

    ``on_progress(counters)`` is called about once a second. Returns the process's
    ``Stats`` (``lost`` counts requests never acknowledged).
    """
    count = config.terminals if count is None else count
    stats = Stats()
    stats.notes.extend(raise_file_limit(count))
    route = SharedRoute()
    baseline = rss_bytes()
    started = anyio.current_time()
    clock = Clock(started, config)
    ramp = config.ramp_seconds
    with _few_collections():
        async with anyio.create_task_group() as outer:
            outer.start_soon(_watch, stats, baseline, on_progress)
            outer.start_soon(_freeze_at, started + ramp + 1.0)
            async with anyio.create_task_group() as tg:
                for i in range(count):
                    terminal = SimTerminal(first + i, config, route, stats, clock)
                    tg.start_soon(terminal.run, started + ramp * i / max(count, 1))
            outer.cancel_scope.cancel()
    stats.elapsed = anyio.current_time() - started
    if on_progress is not None:
        on_progress(dict(stats.counters))
    return stats


@contextlib.contextmanager
def _few_collections():
    """Thousands of sessions are millions of long-lived objects: a full collection of
    them stalls every terminal at once (latency spikes measured as reply latency).
    Collect young objects less often while the run lasts; restore afterwards."""
    threshold = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


async def _freeze_at(when: float) -> None:
    """Once every terminal is up, move the objects alive then out of the collector's
    sight (``gc.freeze``): later collections scan only what the reports create."""
    await anyio.sleep(max(0.0, when - anyio.current_time()))
    gc.freeze()


async def _watch(stats: Stats, baseline: int, on_progress: Snapshot | None) -> None:
    """Every second: peak memory growth into ``stats``, counters to ``on_progress``."""
    while True:
        await anyio.sleep(1.0)
        stats.memory_bytes = max(stats.memory_bytes, rss_bytes() - baseline)
        if on_progress is not None:
            on_progress(dict(stats.counters))


class Progress:
    """Prints the live line (``\\r``-refreshed on a terminal, one line a second otherwise)."""

    def __init__(self, stream: IO[str] | None) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self._last_time = self.start
        self._last_msgs = 0
        self._tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())

    def __call__(self, counters: dict[str, int]) -> None:
        if self.stream is None:
            return
        now = time.monotonic()
        msgs = counters["frames_sent"] + counters["frames_received"]
        rate = (msgs - self._last_msgs) / max(now - self._last_time, 1e-6)
        self._last_time, self._last_msgs = now, msgs
        line = progress_line(counters, rate, now - self.start)
        self.stream.write(f"\r{line}\x1b[K" if self._tty else line + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.stream is not None and self._tty:
            self.stream.write("\n")
            self.stream.flush()


def run_simulation(config: SimConfig, stream: IO[str] | None = sys.stderr) -> Stats:
    """Run ``config`` to the end (in ``config.processes`` processes); merged ``Stats``."""
    progress = Progress(stream if config.progress else None)
    if config.processes <= 1:
        stats = anyio.run(lambda: simulate(config, on_progress=progress))
    else:
        stats = _run_processes(config, progress)
    progress.done()
    return stats


def _shares(total: int, parts: int) -> list[tuple[int, int]]:
    base, extra = divmod(total, parts)
    shares, first = [], 0
    for i in range(parts):
        n = base + (1 if i < extra else 0)
        shares.append((first, n))
        first += n
    return shares


def _worker(config: SimConfig, first: int, count: int, wid: int, out: Any) -> None:
    def report(counters: dict[str, int]) -> None:
        out.put(("progress", wid, counters))
    try:
        stats = anyio.run(lambda: simulate(config, first=first, count=count,
                                           on_progress=report))
        out.put(("done", wid, stats.to_dict()))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails
        out.put(("error", wid, f"{type(exc).__name__}: {exc}"))


def _run_processes(config: SimConfig, progress: Progress) -> Stats:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    shares = [s for s in _shares(config.terminals, config.processes) if s[1]]
    workers = [context.Process(target=_worker, args=(config, first, n, wid, out), daemon=True)
               for wid, (first, n) in enumerate(shares)]
    for worker in workers:
        worker.start()
    latest: dict[int, dict[str, int]] = {}
    merged = Stats()
    finished = 0
    last_print = 0.0
    while finished < len(workers):
        try:
            kind, wid, payload = out.get(timeout=1.0)
        except queue_module.Empty:
            if not any(w.is_alive() for w in workers):
                merged.notes.append("a simulator process died without a report")
                merged.lost += 1
                break
            continue
        if kind == "progress":
            latest[wid] = payload
        else:
            finished += 1
            if kind == "done":
                merged.merge(Stats.from_dict(payload))
            else:
                merged.notes.append(f"simulator process {wid} failed: {payload}")
                merged.lost += 1
        if latest and time.monotonic() - last_print >= 0.9:
            last_print = time.monotonic()
            total: dict[str, int] = {}
            for counters in latest.values():
                for key, value in counters.items():
                    total[key] = total.get(key, 0) + value
            progress(total)
    for worker in workers:
        worker.join(timeout=5)
    return merged
