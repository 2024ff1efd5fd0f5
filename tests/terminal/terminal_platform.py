"""A small platform for the terminal tests: a listener (TCP on 127.0.0.1 by default, or
``memory://``) and one ``PlatformSession`` per accepted link, driven by the library's
one ``jt808.driver.SessionDriver`` (no second driver loop, no polling for replies).
The reference platform is tested elsewhere; this one is small enough to steer a test
(``drop_reports``, ``ignore_ids``, ``report_result``, ``close_on_auth``)."""
from __future__ import annotations

import itertools
import time

import anyio
import pytest

import datetime as dt

from jt808.codec import LocationReport, Message, ServerTimeResponse, TerminalRegisterResponse
from jt808.driver import SessionDriver
from jt808.frame import Header, Version
from jt808.session import MessageReceived, PlatformSession, ReplyReceived, UnmatchedReply
from jt808.transport import open_listener

_MEMORY_NAMES = itertools.count()


def memory_url() -> str:
    """A fresh ``memory://`` name for ``TestPlatform.start``."""
    return f"memory://test-platform-{next(_MEMORY_NAMES)}"

AUTH_CODE = "AUTH-1"
SERVER_TIME = dt.datetime(2022, 6, 24, 8, 12, 34)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Link:
    def __init__(self, platform: "TestPlatform", transport, version: Version | None) -> None:
        self.platform = platform
        self.transport = transport
        self.session = PlatformSession(version=version, params={0x0002: 1, 0x0003: 0})
        self.driver = SessionDriver(self.session, transport, on_event=self.on_event,
                                    name="test platform link")

    def flush(self) -> None:
        self.driver.flush()

    async def serve(self) -> None:
        try:
            await self.driver.run()
        finally:
            if self.platform.link is self:
                self.platform.link = None

    def on_event(self, event) -> None:
        if isinstance(event, MessageReceived):
            self.platform.received.append((event.header, event.message))
            self.platform.answer(self, event.message, event.header)
        elif isinstance(event, (ReplyReceived, UnmatchedReply)):  # e.g. an unasked 0x0104
            message = event.reply if isinstance(event, ReplyReceived) else event.message
            self.platform.received.append((event.header, message))

    async def request(self, message: Message, timeout: float = 5.0) -> Message:
        return await self.driver.request(message, timeout)

    async def close(self) -> None:
        self.driver.stop()
        await self.transport.aclose()


class TestPlatform:
    """Answers register/auth/reports. ``drop_reports`` ignores 0x0200 (no 0x8001);
    ``ignore_ids`` ignores any message id in it; ``report_result`` answers 0x0200 (and
    0x0704) with that 0x8001 result; ``close_on_auth`` closes the link on a 0x0102 with an unknown code;
    ``auth_code`` is what 0x8100 hands out; ``register_general_result`` (when set)
    answers 0x0100 with a 0x8001 of that result instead, as some platforms do."""

    __test__ = False

    def __init__(self, tg, version: Version | None = None) -> None:
        self.tg = tg
        self.version = version
        self.received: list[tuple[Header, Message]] = []
        self.valid_codes = {AUTH_CODE}
        self.registrations = 0
        self.drop_reports = False
        self.ignore_ids: set[int] = set()
        self.report_result = 0
        self.close_on_auth = False
        self.auth_code = AUTH_CODE
        self.register_general_result: int | None = None
        self.link: Link | None = None
        self.listener = None
        self.linked = anyio.Event()

    async def start(self, url: str = "tcp://127.0.0.1:0") -> str:
        self.listener = await open_listener(url)
        self.tg.start_soon(self._accept)
        if url.startswith("memory://"):
            return url
        host, port = self.listener.address
        return f"tcp://{host}:{port}"

    async def _accept(self) -> None:
        async for transport in self.listener:
            link = Link(self, transport, self.version)
            self.link = link
            self.linked.set()
            self.tg.start_soon(link.serve)

    async def wait_link(self) -> Link:
        while self.link is None:
            self.linked = anyio.Event()
            await self.linked.wait()
        return self.link

    def ids(self) -> list[int]:
        return [h.msg_id for h, _ in self.received]

    def of(self, msg_id: int) -> list[Message]:
        return [m for h, m in self.received if h.msg_id == msg_id]

    def answer(self, link: Link, message: Message, header: Header) -> None:
        session, now = link.session, time.monotonic()
        if header.msg_id in self.ignore_ids:
            return
        if header.msg_id == 0x0100 and self.register_general_result is not None:
            session.reply(header, self.register_general_result, now)
        elif header.msg_id == 0x0100:
            self.registrations += 1
            self.valid_codes.add(self.auth_code)
            session.send(TerminalRegisterResponse(header.serial, 0, self.auth_code), now)
        elif (header.msg_id == 0x0102 and self.close_on_auth
              and message.auth_code not in self.valid_codes):
            self.tg.start_soon(link.close)
        elif header.msg_id == 0x0102:
            session.reply(header, 0 if message.auth_code in self.valid_codes else 1, now)
        elif header.msg_id in (0x0200, 0x0704) and self.report_result:
            session.reply(header, self.report_result, now)
        elif header.msg_id == 0x0004:
            session.send(ServerTimeResponse(SERVER_TIME), now)
        elif header.msg_id == 0x0200 and self.drop_reports:
            return
        elif header.msg_id == 0x0801:
            return                                   # the session answers 0x8800 itself
        else:
            session.reply(header, 0, now)

    async def until(self, predicate, timeout: float = 10.0) -> None:
        with anyio.fail_after(timeout):
            while not predicate():
                await anyio.sleep(0.01)

    async def aclose(self) -> None:
        if self.link is not None:
            await self.link.close()
        if self.listener is not None:
            await self.listener.aclose()


FAST_PARAMS = {0x0001: 0, 0x0002: 1, 0x0003: 0}   # no heartbeat, 1 s reply timeout, no retry


def report(n: int) -> LocationReport:
    """The ``n``-th of a series of distinct positions (latitude and second differ)."""
    return LocationReport(0, 2, 31.0 + n / 1000, 121.0, 10, 36.5, 90,
                          dt.datetime(2024, 1, 2, 3, 4, n % 60))
