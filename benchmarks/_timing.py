"""A tiny timing helper shared by the bench scripts: best-of-N per-call time in µs."""
from __future__ import annotations

import time
from typing import Callable

__all__ = ["best_us", "table"]


def best_us(func: Callable[[], object], *, number: int = 10_000, repeat: int = 7) -> float:
    """Best (smallest) per-call time of ``func()`` in µs over ``repeat`` runs of ``number`` calls."""
    best = None
    for _ in range(repeat):
        start = time.perf_counter_ns()
        for _ in range(number):
            func()
        elapsed = time.perf_counter_ns() - start
        best = elapsed if best is None else min(best, elapsed)
    return best / number / 1000.0


def table(rows: list[tuple[str, str, str]], headings: tuple[str, str, str] = (
        "case", "result", "target")) -> str:
    """Rows of (case, result, target) as an aligned plain-text table."""
    rows = [headings, *rows]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
