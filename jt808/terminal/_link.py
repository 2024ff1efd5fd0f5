"""The terminal's link: open a transport, serve it with a ``SessionDriver``, close it.

Each link lives in one task of the terminal's task group that opens the transport (a URL
anew per connect), serves it and closes it, so a transport owning a task group (a modem
URL with a device path) is closed by the task that opened it. The retry bearer (which of
0x0002-0x0007 apply) is the ``bearer=`` option, else the open transport's: its
``bearer`` attribute, ``sms`` for an SMS transport, ``udp`` for any other datagram
transport, else ``tcp`` (before the first connect it is guessed from the URL scheme).
"""
from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, overload

import anyio

from ..codec import Message
from ..driver import SessionDriver
from ..errors import TransportError
from ..frame import Header
from ..transport import open_transport
from ._host import TerminalHost
from ._options import BEARERS

if TYPE_CHECKING:
    from ..codec import (MediaDataUpload, PlatformGeneralResponse, QueryServerTime,
                         TerminalRegister)
    from ._host import GeneralRequest, MediaReply, RegisterReply, ServerTimeReply

__all__ = ["LinkMixin", "bearer_of_scheme", "bearer_of_transport"]


def bearer_of_scheme(scheme: str) -> str:
    """The bearer a URL scheme suggests before its transport is open: ``sms`` for
    ``sms`` and ``…-sms``/``…+sms`` schemes, ``udp`` for ``udp``/``…+udp``, else ``tcp``."""
    parts = scheme.lower().replace("-", "+").split("+")
    if "sms" in parts:
        return "sms"
    return "udp" if "udp" in parts else "tcp"


def bearer_of_transport(transport: Any) -> str:
    """The retry bearer of an open transport: its own ``bearer`` attribute if it has one,
    ``sms`` for an SMS transport, ``udp`` for any other datagram transport, else ``tcp``."""
    own = getattr(transport, "bearer", None)
    if own in BEARERS:
        return own
    from ..transport._sms import SmsTransport
    if isinstance(transport, SmsTransport):
        return "sms"
    return "udp" if getattr(transport, "kind", "stream") == "datagram" else "tcp"


class LinkMixin(TerminalHost):
    """Connect, disconnect, and send through the current link's driver."""

    session: Any
    _driver: SessionDriver | None
    error: BaseException | None

    @property
    def connected(self) -> bool:
        return self._driver is not None

    async def connect(self) -> None:
        """Open the link (a URL is opened anew each time) and start its driver."""
        tg = self._require_tg()
        if self.connected:
            return
        await self._conn_done.wait()
        try:
            await tg.start(self._connection, self._target)
        except TransportError as exc:
            self.error = exc
            raise

    async def _connection(self, target: Any, *, task_status: Any) -> None:
        options = self.transport_options if target is self._primary else {}
        transport = (await open_transport(target, **options) if isinstance(target, str)
                     else target)
        try:
            driver = self._new_driver(transport)
            self._link_up(driver)
            done = self._conn_done = anyio.Event()
        except BaseException:
            await transport.aclose()
            raise
        task_status.started()
        try:
            await driver.run()
        finally:
            self._link_down(driver)
            try:
                # No shielding scope here: a transport that opened a task group (the
                # modem's AT port) must exit it in the scopes it was entered in. close()
                # ends the link before the terminal's task group is cancelled.
                with contextlib.suppress(Exception):
                    await transport.aclose()
            finally:
                done.set()

    def _new_driver(self, transport: Any) -> SessionDriver:
        return SessionDriver(self.session, transport, on_event=self._on_event,
                             clock=self.clock, wall_clock=self.wall_clock,
                             name="link to the platform")

    def _link_up(self, driver: SessionDriver) -> None:
        self.error = None
        bearer = "sms" if self.on_sms_fallback else (
            self._bearer_option or bearer_of_transport(driver.transport))
        if bearer != self.session.bearer:
            self.session.bearer = bearer
            self.session.update_params(self.params.link_params())
        self.session.connection_made(self.clock())
        self.session.pending.clear()
        self.session.datagrams_to_send()            # nothing from a previous link
        self._link_lost = anyio.Event()
        self._driver = driver
        self._state_change("link_up", bearer=bearer)

    def _link_down(self, driver: SessionDriver) -> None:
        if self._driver is not driver:
            return
        self._driver = None
        if driver.error is not None:
            self.error = driver.error
        self.session.pending.clear()
        self._link_lost.set()
        self._state_change("link_down", error=None if driver.error is None
                           else str(driver.error))

    async def disconnect(self) -> None:
        """Drop the link (pending requests fail with ``TransportError``)."""
        if self._driver is not None:
            self._driver.stop()
        await self._conn_done.wait()

    async def close(self) -> None:
        """Stop ``run()`` and drop the link."""
        self._closed.set()
        await self.disconnect()

    # -- sending --------------------------------------------------------------------
    def _link(self) -> SessionDriver:
        if self._driver is None:
            raise TransportError("not connected to the platform")
        return self._driver

    async def send(self, message: Message) -> int:
        """Send ``message`` expecting no reply; returns its serial."""
        return self._link().send(message, expect_reply=False)

    def reply(self, header: Header, result: int = 0) -> int:
        """The general answer 0x0001 to the platform message with ``header``; a message
        that came in subpackets is answered with the serial of its last packet."""
        driver = self._link()
        if header.packet is not None and header.packet[0] > 1:
            total, index = header.packet
            header = header._replace(serial=(header.serial - index + total) & 0xFFFF)
        return driver.reply(header, result)

    @overload
    async def request_serial(self, message: GeneralRequest, timeout: float | None = None
                             ) -> tuple[int, PlatformGeneralResponse]: ...
    @overload
    async def request_serial(self, message: Message, timeout: float | None = None
                             ) -> tuple[int, Message]: ...

    async def request_serial(self, message: Message, timeout: float | None = None
                             ) -> tuple[int, Message]:
        """Like :meth:`request` but returns ``(serial, reply)``; a ``ResponseTimeout``
        names the request's ``msg_id`` and ``serial``."""
        return await self._link().request_serial(message, timeout)

    @overload
    async def request(self, message: TerminalRegister, timeout: float | None = None
                      ) -> RegisterReply: ...
    @overload
    async def request(self, message: MediaDataUpload, timeout: float | None = None
                      ) -> MediaReply: ...
    @overload
    async def request(self, message: QueryServerTime, timeout: float | None = None
                      ) -> ServerTimeReply: ...
    @overload
    async def request(self, message: GeneralRequest, timeout: float | None = None
                      ) -> PlatformGeneralResponse: ...
    @overload
    async def request(self, message: Message, timeout: float | None = None) -> Message: ...

    async def request(self, message: Message, timeout: float | None = None) -> Message:
        """Send ``message`` and return its reply (``ResponseTimeout`` after the standard's
        retransmissions or ``timeout`` seconds; ``TransportError`` if the link drops)."""
        return (await self.request_serial(message, timeout))[1]
