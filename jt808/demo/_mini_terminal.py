"""A minimal terminal driven by ``TerminalSession``: for tests, benchmarks and the demo.

Not the product (that is ``jt808.terminal.Terminal``): it registers, authenticates,
reports positions, uploads a photo in subpackets, answers 0x8104/0x8106 with 0x0104
and any other platform command with a general reply.
"""
from __future__ import annotations

import struct
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, ClassVar

import anyio
import attrs

from ..codec import (LocationBatchReport, LocationReport, Message, QueryTerminalParamsResponse,
                     RawMessage, TerminalAuth, TerminalParam, TerminalRegister,
                     encode_body)
from ..frame import Version
from ..platform import SessionDriver
from ..session import MessageReceived, TerminalSession
from ..transport import open_transport

__all__ = ["MiniTerminal", "RawMediaUpload", "media_upload_body", "location"]

_PARAM_QUERIES = frozenset({0x8104, 0x8106})
#: Parameters the minimal terminal reports: heartbeat 30 s, TCP timeout 10 s, 3 retries.
DEFAULT_PARAMS: tuple[TerminalParam, ...] = (
    TerminalParam(0x0001, 30), TerminalParam(0x0002, 10), TerminalParam(0x0003, 3))
# media upload head: media id DWORD, type BYTE, format BYTE, event BYTE, channel BYTE
_MEDIA_HEAD = struct.Struct(">IBBBB")


@attrs.frozen(slots=True)
class RawMediaUpload(RawMessage):
    """0x0801 with the body built by hand; ``media_id`` lets the session match 0x8800."""

    media_id: int = 0
    MSG_ID: ClassVar[int] = 0x0801


def location(latitude: float = 39.9405, longitude: float = 116.3553, *, speed: float = 40.0,
             direction: float = 90, altitude: float = 50, when: datetime | None = None,
             alarm_flag: int = 0, status: int = 0x3) -> LocationReport:
    """A 0x0200 report without extras (status: ACC on, positioned)."""
    when = (when or datetime.now(timezone.utc)).replace(microsecond=0)
    return LocationReport(alarm_flag, status, round(latitude, 6), round(longitude, 6),
                          int(altitude), round(speed, 1), int(direction) % 360, when)


def media_upload_body(media_id: int, data: bytes, where: LocationReport,
                      version: Version = Version.V2013) -> bytes:
    """0x0801 body: JPEG image, event 0 (platform command), channel 1, the 28-byte
    location basic information, then the data."""
    return _MEDIA_HEAD.pack(media_id, 0, 0, 0, 1) + encode_body(where, version)[:28] + data


class MiniTerminal:
    """``async with MiniTerminal(transport, phone) as t: await t.login()``."""

    def __init__(self, transport: Any, phone: str, version: Version = Version.V2013, *,
                 max_body: int = 1023, params: tuple[TerminalParam, ...] = DEFAULT_PARAMS,
                 trace: Callable[[str], None] | None = None, name: str = "",
                 session_options: dict[str, Any] | None = None) -> None:
        bearer = "udp" if getattr(transport, "kind", "stream") == "datagram" else "tcp"
        self.version = version
        self.session = TerminalSession(phone, version, bearer=bearer, max_body=max_body,
                                       **(session_options or {}))
        self.driver = SessionDriver(self.session, transport, on_event=self._on_event,
                                    trace=trace, name=name)
        self.params = params
        self.commands: list[Message] = []
        self._tg: anyio.abc.TaskGroup | None = None

    @classmethod
    async def connect(cls, url: str, phone: str, version: Version = Version.V2013,
                      **options: Any) -> MiniTerminal:
        return cls(await open_transport(url), phone, version, **options)

    async def __aenter__(self) -> MiniTerminal:
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        self._tg.start_soon(self.driver.run)
        return self

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        # the task group first: a transport that owns a modem port opened its own task
        # group before ours, so it must be closed after ours is gone (scopes nest)
        assert self._tg is not None
        self.driver.closed = True
        self._tg.cancel_scope.cancel()
        try:
            return await self._tg.__aexit__(*exc_info)
        finally:
            await self.driver.transport.aclose()      # no scope of ours around it, see above

    # -- requests ------------------------------------------------------------------
    async def request(self, message: Message, timeout: float | None = 10.0) -> Message:
        return await self.driver.request(message, timeout)

    async def register(self, timeout: float | None = 10.0) -> Message:
        phone = self.session.phone
        register = TerminalRegister(31, 115, "70111", "MINI", phone[-7:], 1, "京A" + phone[-5:])
        return await self.request(register, timeout)

    async def authenticate(self, auth_code: str | None = None,
                           timeout: float | None = 10.0) -> Message:
        code = auth_code if auth_code is not None else (self.session.auth_code or "")
        return await self.request(TerminalAuth(code, "860000000000001", "mini-1.0"), timeout)

    async def login(self, timeout: float | None = 10.0) -> str:
        """Register and authenticate; returns the auth code."""
        await self.register(timeout)
        reply = await self.authenticate(timeout=timeout)
        if getattr(reply, "result", 1) != 0:
            raise RuntimeError(f"authentication refused: {reply}")
        return self.session.auth_code or ""

    async def report(self, report: LocationReport | None = None,
                     timeout: float | None = 10.0) -> Message:
        return await self.request(report or location(), timeout)

    async def batch(self, reports: list[LocationReport], blind: bool = True,
                    timeout: float | None = 10.0) -> Message:
        return await self.request(LocationBatchReport(1 if blind else 0, tuple(reports)), timeout)

    async def upload_media(self, media_id: int, data: bytes, timeout: float | None = 20.0
                           ) -> Message:
        """0x0801 split by the session's ``max_body``; returns the platform's final 0x8800."""
        body = media_upload_body(media_id, data, location(), self.version)
        return await self.request(RawMediaUpload(0x0801, body, media_id), timeout)

    # -- platform commands ---------------------------------------------------------
    def _on_event(self, event: Any) -> None:
        if not isinstance(event, MessageReceived):
            return
        self.commands.append(event.message)
        header, now = event.header, self.driver.now()
        if header.msg_id in _PARAM_QUERIES:
            self.session.send(QueryTerminalParamsResponse(header.serial, self.params), now)
        else:
            self.session.reply(header, 0, now)

    async def aclose(self) -> None:
        await self.driver.aclose()
