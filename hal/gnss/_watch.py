"""``WatchedGnss``: a ``GnssSource`` that remembers whether it has a fix, and since when.

It passes every ``read()`` through and tells ``on_change(text)`` when the first fix
arrives, when a fix is lost and when it comes back, so a program can print the GNSS state
without polling the receiver twice. ``seconds_without_fix(now)`` says how long it has
been waiting (``None`` while it has a fix).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ._fix import Fix

__all__ = ["WatchedGnss"]


class WatchedGnss:
    """Wrap ``source``; ``clock`` is monotonic seconds (injectable for tests)."""

    def __init__(self, source: Any, on_change: Callable[[str], Any] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.source = source
        self.on_change = on_change
        self.clock = clock
        self.reads = 0                   # read() calls that returned
        self.fixes = 0                   # of those, with a valid fix
        self.has_fix = False
        self.last_fix: Fix | None = None
        self._waiting_since = clock()

    async def read(self) -> Fix | None:
        fix = await self.source.read()
        self.reads += 1
        valid = fix is not None and getattr(fix, "valid", True)
        if valid:
            self.fixes += 1
            self.last_fix = fix
        if valid and not self.has_fix:
            self.has_fix = True
            self._say(f"GNSS fix: {fix.latitude:.5f}, {fix.longitude:.5f}")
        elif not valid and self.has_fix:
            self.has_fix = False
            self._waiting_since = self.clock()
            self._say("GNSS fix lost")
        return fix

    def seconds_without_fix(self, now: float | None = None) -> float | None:
        if self.has_fix:
            return None
        return (self.clock() if now is None else now) - self._waiting_since

    def __getattr__(self, name: str) -> Any:
        # ``fix_at``, ``close`` and the like of the wrapped source stay reachable
        if name == "source":
            raise AttributeError(name)
        return getattr(self.source, name)

    def _say(self, text: str) -> None:
        if self.on_change is not None:
            self.on_change(text)
