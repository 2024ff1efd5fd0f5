"""What ``jt808 run`` prints: one line per state change and a periodic summary.

The monitor watches the terminal's public state (``connected``, ``authenticated``,
``session.bearer``, ``on_sms_fallback``, ``error``, the blind-area store's count) a few
times a second rather than ``add_state_listener`` events, because the GNSS fix and the
SMS fallback have no events and one loop keeps the lines in order. It also listens to
the messages it receives (``add_listener``): 0x8100 (registered), 0x8001 to 0x0200 (acknowledged) and
to 0x0704 (a blind-area batch flushed). ``-v`` logs every received message, ``-vv``
its header and every frame both ways in hex (logger ``jt808.wire``, from the driver).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import anyio

__all__ = ["RunMonitor"]

log = logging.getLogger("jt808.run")

POLL = 0.25                # s between looks at the terminal's state


class RunMonitor:
    """Prints through ``say``; ``auth_source`` says where the starting auth code came from."""

    def __init__(self, terminal: Any, say: Callable[[str], None], *, url: str,
                 auth_source: str | None, gnss: Any = None, no_fix_warning: float = 60.0,
                 summary_interval: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.terminal, self.say, self.url = terminal, say, url
        self.auth_source = auth_source
        self.gnss, self.no_fix_warning = gnss, no_fix_warning
        self.summary_interval, self.clock = summary_interval, clock
        self.acked = self.refused = self.batches = self.links = 0
        self._was: dict[str, Any] = {"connected": False, "authenticated": False,
                                     "sms": False, "backlog": 0}
        self._warned_no_fix = False
        self._failures = 0               # opens that failed since the last good link
        self._last_error: Any = None
        terminal.add_listener(self.on_message)

    # -- messages ---------------------------------------------------------------------
    def on_message(self, message: Any, header: Any) -> None:
        self.check()                     # state lines first, in the order things happened
        log.info("<- 0x%04X %r", header.msg_id, message)
        log.debug("<- header %r", header)
        if header.msg_id == 0x8100:
            if message.result == 0:
                self.auth_source = "the platform's 0x8100"
                self.say(f"registered: auth code {message.auth_code!r} from the platform")
            else:
                self.say(f"registration refused: 0x8100 result {message.result}")
        elif header.msg_id == 0x8001 and message.reply_id == 0x0200:
            if message.result == 0:
                self.acked += 1
            else:
                self.refused += 1
        elif header.msg_id == 0x8001 and message.reply_id == 0x0704:
            self.batches += 1
            self.say(f"blind-area batch {self.batches} acknowledged (result {message.result});"
                     f" {self._backlog()} positions left")

    # -- state ------------------------------------------------------------------------
    async def run(self) -> None:
        next_summary = self.clock() + self.summary_interval
        while True:
            self.check()
            if self.summary_interval and self.clock() >= next_summary:
                self.say(self.summary())
                next_summary = self.clock() + self.summary_interval
            await anyio.sleep(POLL)

    def check(self) -> None:
        """Print what changed since the last look."""
        terminal = self.terminal
        self._link(bool(terminal.connected))
        self._connect_failure(terminal.error)
        self._auth(bool(terminal.authenticated))
        self._fallback(bool(terminal.on_sms_fallback))
        self._backlog_change(self._backlog())
        self._gnss()

    def _link(self, connected: bool) -> None:
        if connected == self._was["connected"]:
            return
        self._was["connected"] = connected
        if connected:
            self.links += 1
            self._failures = 0
            self.say(f"link up to {self.url} (bearer {self.terminal.session.bearer})")
        else:
            error = self._last_error = self.terminal.error
            self.say(f"link lost{f': {error}' if error else ''}; retrying in "
                     f"{self._next_retry():g} s")

    def _connect_failure(self, error: Any) -> None:
        """A new error while the link is down is a failed open: ``run()`` waits, doubling."""
        if error is None or error is self._last_error or self._was["connected"]:
            return
        self._last_error = error
        self.say(f"cannot connect: {error}; retrying in {self._next_retry():g} s")

    def _next_retry(self) -> float:
        """The wait ``Terminal.run()`` makes now: ``min_backoff`` after a good link,
        doubled for each open that failed since, at most ``max_backoff``."""
        self._failures += 1
        terminal = self.terminal
        return min(terminal.min_backoff * 2 ** (self._failures - 1), terminal.max_backoff)

    def _auth(self, authenticated: bool) -> None:
        if authenticated == self._was["authenticated"]:
            return
        self._was["authenticated"] = authenticated
        if authenticated:
            code = self.terminal.auth_code
            self.say(f"authenticated with auth code {code!r} (from {self.auth_source})")

    def _fallback(self, on_sms: bool) -> None:
        if on_sms != self._was["sms"]:
            self._was["sms"] = on_sms
            self.say("primary link down: reporting over the SMS fallback" if on_sms
                     else "primary link back: leaving the SMS fallback")

    def _backlog(self) -> int:
        store = getattr(self.terminal, "store", None)
        return store.count("position") if store is not None else 0

    def _backlog_change(self, backlog: int) -> None:
        before = self._was["backlog"]
        if backlog == before:
            return
        self._was["backlog"] = backlog
        if before == 0:
            self.say(f"blind area: positions kept for later ({backlog} stored)")
        elif backlog == 0:
            self.say("blind area: backlog flushed")

    def _gnss(self) -> None:
        if self.gnss is None or not self.no_fix_warning or self._warned_no_fix:
            return
        waited = self.gnss.seconds_without_fix()
        if waited is not None and waited >= self.no_fix_warning:
            self._warned_no_fix = True
            self.say(f"GNSS: no fix after {waited:.0f} s (antenna? sky view? GNSS turned "
                     "on?); positions are not reported until one arrives")

    def summary(self) -> str:
        reads = getattr(self.gnss, "reads", None)
        read = "" if reads is None else f"{self.gnss.fixes} fixes of {reads} GNSS reads, "
        return (f"summary: {read}{self.acked} positions acknowledged, "
                f"{self.refused} refused, {self._backlog()} stored, {self.batches} "
                f"blind-area batches sent, {self.links} links")
