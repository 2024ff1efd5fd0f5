"""SMS fallback (JT/T 808: "when the data link fails, the terminal may use SMS as the
bearer").

With ``sms_fallback=`` (an ``sms://…?number=<platform SMS number>`` URL, or any
URL/transport object whose link reaches the platform by SMS), once ``run()`` has failed
to open the primary transport ``sms_fallback_after`` times in a row it serves the SMS
link instead (bearer ``sms``: parameters 0x0006/0x0007), logs in and keeps reporting
0x0200 over it, while every ``primary_retry_interval`` s it opens (and closes) a probe
of the primary URL; when one opens it drops the SMS link and goes back.
``on_sms_fallback`` tells which. Over SMS the blind-area positions are not uploaded
(stored alarms are): the backlog waits for the data link, so SMS carries one 0x0200 per
report interval and no burst. A transport object given as ``sms_fallback`` is closed
with its first link (use a URL to fall back more than once); a primary given as an
object is never probed.
"""
from __future__ import annotations

import contextlib
import logging

import anyio

from ..errors import TransportError
from ..transport import open_transport
from ._host import TerminalHost

__all__ = ["SmsFallbackMixin"]

log = logging.getLogger("jt808.terminal")


class SmsFallbackMixin(TerminalHost):
    async def _run_on_sms(self) -> None:
        """The SMS link with bearer ``sms``, reconnected with backoff, until a probe finds
        the primary transport back (or ``close()``)."""
        log.warning("primary link failed %d times in a row: falling back to SMS",
                    self.sms_fallback_after)
        primary_back = anyio.Event()
        self._target, self.on_sms_fallback = self.sms_fallback, True
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._probe_primary, primary_back)
                backoff = self.min_backoff
                while not (self._closed.is_set() or primary_back.is_set()):
                    _, logged_in = await self._link_once(primary_back)
                    if logged_in:
                        backoff = self.min_backoff
                    await self._wait_any(primary_back, timeout=backoff)
                    backoff = min(backoff * 2, self.max_backoff)
                tg.cancel_scope.cancel()
        finally:
            self._target, self.on_sms_fallback = self._primary, False
        log.info("primary link is back: leaving the SMS fallback")

    async def _probe_primary(self, primary_back: anyio.Event) -> None:
        """Every ``primary_retry_interval`` s try to open the primary transport (a URL;
        a transport object cannot be reopened, so it is never probed)."""
        while isinstance(self._primary, str):
            await anyio.sleep(self.primary_retry_interval)
            with anyio.move_on_after(self.primary_retry_interval):
                try:
                    probe = await open_transport(self._primary, **self.transport_options)
                except (TransportError, OSError) as exc:
                    log.info("primary link still down: %s", exc)
                    continue
                with contextlib.suppress(Exception):
                    await probe.aclose()
                primary_back.set()
                return
