"""``run()``: connect, log in, report and reconnect with backoff until ``close()``.

Reconnect delays start at ``min_backoff`` seconds and double up to ``max_backoff``; a
link that reached authentication resets them. With ``sms_fallback`` set, after
``sms_fallback_after`` failed opens of the primary transport in a row ``run()`` serves
the SMS link instead (``_fallback``).

``run()`` survives any error of one link (issue 18): a transport failure, a timeout, a
peer's bad data or a bug is logged (with its traceback when unexpected), counted in
``link_errors`` and followed by a reconnect. The position reporter starts with the
first login attempt (see ``Reporter.loop``), so the first position goes out live.
"""
from __future__ import annotations

import logging
import math

import anyio

from ..errors import ResponseTimeout, TransportError
from ._host import TerminalHost

__all__ = ["ReconnectMixin"]

log = logging.getLogger("jt808.terminal")


class ReconnectMixin(TerminalHost):
    error: BaseException | None
    min_backoff = 1.0         # reconnect delays (s), doubling up to max_backoff
    max_backoff = 60.0
    link_errors = 0           # links ended by an unexpected error (logged with traceback)

    async def run(self) -> None:
        """Connect, log in, report positions and reconnect (with backoff) until close()."""
        if self._tg is None:
            async with self:
                await self._run()
        else:
            await self._run()

    async def _run(self) -> None:
        self._closed = anyio.Event()
        self._first_attempt = anyio.Event()
        self._require_tg().start_soon(self.reporter.loop, self._closed, self._first_attempt)
        self._running = True
        try:
            await self._reconnect_loop(self.min_backoff)
        finally:
            self._running = False

    async def _reconnect_loop(self, backoff: float) -> None:
        failures = 0                      # primary link opens that failed in a row
        while not self._closed.is_set():
            opened, logged_in = await self._link_once()
            if self._closed.is_set():
                break
            failures = 0 if opened else failures + 1
            if logged_in:
                backoff = self.min_backoff
            if self.sms_fallback is not None and failures >= self.sms_fallback_after:
                await self._run_on_sms()
                failures, backoff = 0, self.min_backoff
                continue
            await self._wait_any(timeout=backoff)
            backoff = min(backoff * 2, self.max_backoff)

    async def _link_once(self, *until: anyio.Event) -> tuple[bool, bool]:
        """Connect, log in and serve the link until it is lost, ``close()`` or one of
        ``until``. Returns (the transport opened, the terminal authenticated)."""
        opened = logged_in = False
        try:
            await self.connect()
            opened = True
            reply = await self.login()
            self._first_attempt.set()
            if reply.result == 0:
                logged_in = True
                await self._wait_any(self._link_lost, *until)
            else:
                log.warning("authentication refused (result %d)", reply.result)
        except (TransportError, ResponseTimeout) as exc:
            self.error = exc
            log.info("link failed: %s", exc)
        except Exception as exc:                     # noqa: BLE001 - one link, not run()
            self.error = exc
            self.link_errors += 1
            log.exception("link failed on an unexpected error (reconnecting)")
        finally:
            self._first_attempt.set()
        await self.disconnect()
        return opened, logged_in

    async def _wait_any(self, *events: anyio.Event, timeout: float = math.inf) -> None:
        """Until one of ``events`` or ``close()``, at most ``timeout`` s."""
        with anyio.move_on_after(timeout):
            async with anyio.create_task_group() as tg:
                async def watch(e: anyio.Event) -> None:
                    await e.wait()
                    tg.cancel_scope.cancel()
                for event in (*events, self._closed):
                    tg.start_soon(watch, event)
