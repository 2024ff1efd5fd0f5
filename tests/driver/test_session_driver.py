"""``SessionDriver``: one anyio loop around any session, over real in-process transports."""
from __future__ import annotations

import anyio
import pytest

from jt808.codec import QueryTerminalParams, encode, TerminalAuth, Heartbeat
from jt808.driver import SessionDriver
from jt808.errors import ResponseTimeout, TransportError
from jt808.frame import Version, pack
from jt808.session import MessageReceived, PlatformSession, TerminalSession
from jt808.transport import memory_pair

pytestmark = pytest.mark.anyio

PHONE = "13800138000"
NO_RETRY = {0x0001: 0, 0x0002: 1, 0x0003: 0}       # no heartbeat, 1 s timeout, no retry


class RecordingTransport:
    """A transport end that records each ``send`` call (to count writes)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.kind = getattr(inner, "kind", "stream")
        self.writes: list[bytes] = []

    async def send(self, data: bytes) -> None:
        self.writes.append(bytes(data))
        await self.inner.send(data)

    async def receive(self) -> bytes:
        return await self.inner.receive()

    async def aclose(self) -> None:
        await self.inner.aclose()


def platform_answering_everything(session: PlatformSession):
    def on_event(event) -> None:
        if isinstance(event, MessageReceived):
            session.reply(event.header, 0, 0.0)
    return on_event


async def test_request_gets_the_platform_reply_through_two_drivers():
    near, far = memory_pair("driver-req")
    terminal = TerminalSession(PHONE, Version.V2013, params=NO_RETRY)
    platform = PlatformSession(version=Version.V2013, params=NO_RETRY)
    t_driver = SessionDriver(terminal, near)
    p_driver = SessionDriver(platform, far, on_event=platform_answering_everything(platform))
    async with anyio.create_task_group() as tg:
        tg.start_soon(t_driver.run)
        tg.start_soon(p_driver.run)
        serial, reply = await t_driver.request_serial(TerminalAuth("CODE", "", ""))
        assert (reply.reply_serial, reply.reply_id, reply.result) == (serial, 0x0102, 0)
        t_driver.stop()
        p_driver.stop()


async def test_wire_log_shows_every_frame_both_ways_at_debug(caplog):
    """``jt808 run -vv`` turns DEBUG on: the ``jt808.wire`` logger then shows what each
    driver sent and received, in hex."""
    near, far = memory_pair("driver-wire")
    terminal = TerminalSession(PHONE, Version.V2013, params=NO_RETRY)
    platform = PlatformSession(version=Version.V2013, params=NO_RETRY)
    t_driver = SessionDriver(terminal, near, name="terminal")
    p_driver = SessionDriver(platform, far, on_event=platform_answering_everything(platform))
    with caplog.at_level("DEBUG", "jt808.wire"):
        async with anyio.create_task_group() as tg:
            tg.start_soon(t_driver.run)
            tg.start_soon(p_driver.run)
            await t_driver.request(Heartbeat())
            t_driver.stop()
            p_driver.stop()
    lines = [r.getMessage() for r in caplog.records if r.name == "jt808.wire"]
    sent = [line for line in lines if line.startswith("terminal -> 7e0002")]
    assert len(sent) == 1
    frame_hex = sent[0].split(" -> ")[1]
    assert any(line.endswith(f"<- {frame_hex}") for line in lines if line.startswith("link"))
    assert any(line.startswith("terminal <- 7e8001") for line in lines)


async def test_each_frame_goes_out_in_its_own_transport_write():
    """Issue 11, "Conservative sending": a peer reading one frame per recv loses none."""
    near, far = memory_pair("driver-writes")
    recorder = RecordingTransport(near)
    session = TerminalSession(PHONE, Version.V2013, params=NO_RETRY)
    driver = SessionDriver(session, recorder)
    async with anyio.create_task_group() as tg:
        tg.start_soon(driver.run)
        for _ in range(3):                      # queued in one go, before any write
            driver.send(Heartbeat(), expect_reply=False)
        received = b""
        with anyio.fail_after(5):
            while received.count(b"\x7e") < 6:
                received += await far.receive()
        driver.stop()
    assert len(recorder.writes) == 3
    assert all(w[0] == w[-1] == 0x7E and w.count(b"\x7e") == 2 for w in recorder.writes)


class StalledPeer:
    """A peer that floods 0x8104 and never reads: ``send`` blocks for ever."""

    kind = "stream"

    def __init__(self, frame: bytes, count: int) -> None:
        self.frame = frame
        self.left = count
        self.receives = 0

    async def receive(self) -> bytes:
        self.receives += 1
        if self.left <= 0:
            await anyio.sleep_forever()
        self.left -= 1
        return self.frame

    async def send(self, data: bytes) -> None:
        await anyio.sleep_forever()

    async def aclose(self) -> None:
        pass


async def test_a_peer_that_never_reads_meets_backpressure_not_growing_memory():
    """Issue 14/18: the outbox is bounded; reading stops while it is full."""
    query = pack(encode(QueryTerminalParams(), phone=PHONE))   # 2013 §8.21: empty body
    session = TerminalSession(PHONE, Version.V2013, params=NO_RETRY)
    peer = StalledPeer(query, 10_000)
    driver = SessionDriver(session, peer, max_outbox_bytes=1024,
                           on_event=lambda e: isinstance(e, MessageReceived)
                           and session.reply(e.header, 0, 0.0))
    async with anyio.create_task_group() as tg:
        tg.start_soon(driver.run)
        with anyio.fail_after(5):
            while driver.outbox_bytes <= 1024:
                await anyio.sleep(0)
        for _ in range(100):                    # give the reader every chance to go on
            await anyio.sleep(0)
        driver.stop()
    assert driver.outbox_bytes <= 1024 + len(query)
    assert peer.receives < 100


async def test_timeout_names_the_request_and_its_serial():
    near, _far = memory_pair("driver-timeout")
    session = TerminalSession(PHONE, Version.V2013, params=NO_RETRY)
    driver = SessionDriver(session, near)
    async with anyio.create_task_group() as tg:
        tg.start_soon(driver.run)
        with pytest.raises(ResponseTimeout) as info:
            await driver.request(TerminalAuth("CODE", "", ""), timeout=0.05)
        driver.stop()
    assert info.value.msg_id == 0x0102 and info.value.serial == 0
    assert 0 not in session.pending


async def test_waiters_fail_with_transport_error_when_the_peer_closes():
    near, far = memory_pair("driver-close")
    session = TerminalSession(PHONE, Version.V2013, params=NO_RETRY)
    driver = SessionDriver(session, near)
    async with anyio.create_task_group() as tg:
        tg.start_soon(driver.run)

        async def close_soon() -> None:
            await far.receive()
            await far.aclose()
        tg.start_soon(close_soon)
        with pytest.raises(TransportError):
            await driver.request(TerminalAuth("CODE", "", ""))
    assert driver.closed
    with pytest.raises(TransportError):
        driver.send(Heartbeat())


async def test_timers_use_the_injected_monotonic_clock_not_wall_time():
    """Issue 18: a wall clock stepped back 1 h (or at 1970) does not delay a heartbeat;
    the heartbeat instant (2013 §8.2, parameter 0x0001) comes from ``clock`` alone."""
    near, far = memory_pair("driver-clock")
    terminal = TerminalSession(PHONE, Version.V2013, params={0x0001: 1, 0x0002: 1, 0x0003: 0})
    platform = PlatformSession(version=Version.V2013, params=NO_RETRY)
    seen: list[int] = []

    def on_platform_event(event) -> None:
        if isinstance(event, MessageReceived):
            seen.append(event.header.msg_id)
            platform.reply(event.header, 0, 0.0)
    now = [1000.0]
    t_driver = SessionDriver(terminal, near, clock=lambda: now[0], wall_clock=lambda: -3600.0)
    p_driver = SessionDriver(platform, far, on_event=on_platform_event)
    async with anyio.create_task_group() as tg:
        tg.start_soon(t_driver.run)
        tg.start_soon(p_driver.run)
        await t_driver.request(TerminalAuth("CODE", "", ""))
        assert seen == [0x0102]
        now[0] += 5.0                                 # only the monotonic clock moves on
        t_driver.flush()                              # wake the timer task
        with anyio.fail_after(5):
            while 0x0002 not in seen:
                await anyio.sleep(0.001)
        t_driver.stop()
        p_driver.stop()


def test_outbox_limit_must_be_positive():
    with pytest.raises(ValueError):
        SessionDriver(TerminalSession(PHONE), None, max_outbox_bytes=0)
