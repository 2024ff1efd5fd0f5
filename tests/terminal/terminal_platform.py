"""A small platform for the terminal tests: a real TCP listener on 127.0.0.1 and one
``PlatformSession`` per accepted link (the reference platform is built elsewhere)."""
from __future__ import annotations

import math
import time

import anyio
import pytest

import datetime as dt

from jt808.codec import Message, ServerTimeResponse, TerminalRegisterResponse
from jt808.frame import Header, Version
from jt808.session import MessageReceived, PlatformSession, ReplyReceived, UnmatchedReply
from jt808.transport import open_listener

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
        self.waiters: dict[int, list] = {}

    def flush(self) -> None:
        data = self.session.data_to_send()
        if data:
            self.platform.tg.start_soon(self._send, data)

    async def _send(self, data: bytes) -> None:
        try:
            await self.transport.send(data)
        except Exception:
            pass

    async def serve(self) -> None:
        while True:
            try:
                data = await self.transport.receive()
            except Exception:
                break
            if not data:
                break
            self.session.receive_data(data, time.monotonic())
            while (event := self.session.next_event()) is not None:
                self.on_event(event)
            self.flush()
        if self.platform.link is self:
            self.platform.link = None

    def on_event(self, event) -> None:
        if isinstance(event, MessageReceived):
            self.platform.received.append((event.header, event.message))
            self.platform.answer(self, event.message, event.header)
        elif isinstance(event, ReplyReceived):
            self.platform.received.append((event.header, event.reply))
            box = self.waiters.get(event.request_serial)
            if box is not None:
                box.append(event.reply)
        elif isinstance(event, UnmatchedReply):       # e.g. a 0x0104 nobody asked for
            self.platform.received.append((event.header, event.message))

    async def request(self, message: Message, timeout: float = 5.0) -> Message:
        serial = self.session.send(message, time.monotonic())
        box: list = []
        self.waiters[serial] = box
        self.flush()
        with anyio.fail_after(timeout):
            while not box:
                await anyio.sleep(0.01)
        return box[0]

    async def close(self) -> None:
        await self.transport.aclose()


class TestPlatform:
    """Answers register/auth/reports; ``drop_reports`` ignores 0x0200 (no 0x8001)."""

    __test__ = False

    def __init__(self, tg, version: Version | None = None) -> None:
        self.tg = tg
        self.version = version
        self.received: list[tuple[Header, Message]] = []
        self.valid_codes = {AUTH_CODE}
        self.registrations = 0
        self.drop_reports = False
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
            await anyio.sleep(0.01)
        return self.link

    def ids(self) -> list[int]:
        return [h.msg_id for h, _ in self.received]

    def of(self, msg_id: int) -> list[Message]:
        return [m for h, m in self.received if h.msg_id == msg_id]

    def answer(self, link: Link, message: Message, header: Header) -> None:
        session, now = link.session, time.monotonic()
        if header.msg_id == 0x0100:
            self.registrations += 1
            session.send(TerminalRegisterResponse(header.serial, 0, AUTH_CODE), now)
        elif header.msg_id == 0x0102:
            session.reply(header, 0 if message.auth_code in self.valid_codes else 1, now)
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
