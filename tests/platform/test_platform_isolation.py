"""Issue 14: one bad connection never hurts another. Real Platform, real loopback sockets."""
from __future__ import annotations

import logging

import anyio
import pytest

from jt808.codec import TerminalRegister, encode_body
from jt808.errors import JT808Error
from jt808.frame import Version
from jt808.demo import MiniTerminal
from jt808.platform import Platform

from platform_peers import RawPeer, frame

pytestmark = pytest.mark.anyio

GOOD, BAD = "13800000001", "13800000002"


async def test_a_handler_bug_closes_only_that_connection(caplog):
    """An exception in the platform's handling of one terminal's message (here the
    application's ack_filter) used to cancel the whole task group: every terminal dropped."""
    def ack_filter(phone, header, message):
        if phone == BAD:
            raise ZeroDivisionError("bug in a handler")
        return True

    async with Platform(ack_filter=ack_filter) as platform:
        await platform.serve("tcp://127.0.0.1:0")
        async with await MiniTerminal.connect(platform.url(), GOOD) as good, \
                await MiniTerminal.connect(platform.url(), BAD) as bad:
            await good.login()
            await bad.login()
            with caplog.at_level(logging.ERROR, "jt808.platform"):
                with pytest.raises(JT808Error):           # its link is closed
                    await bad.report(timeout=5)
            served = [(await good.report()).result for _ in range(5)]
        assert served == [0] * 5
        assert platform.faults == 1
        [record] = [r for r in caplog.records if "unexpected error" in r.getMessage()]
        assert "ZeroDivisionError" in record.exc_text


async def test_2011_terminal_sending_0005_and_0004_does_not_stop_the_platform():
    """Issue 14: a 2011 terminal's 0x0005 reached the session as a RawMessage
    (AttributeError), its 0x0004 was answered with 0x8004 which 2011 lacks."""
    async with Platform() as platform:
        await platform.serve("tcp://127.0.0.1:0")
        async with await MiniTerminal.connect(platform.url(), GOOD) as good:
            await good.login()
            peer = await RawPeer.tcp(platform.address())
            register_2011 = TerminalRegister(31, 115, "70111", "M2011", "T1", 1, "A1")
            await peer.send(frame(0x0100, BAD, 1, encode_body(register_2011, Version.V2011),
                                  Version.V2011))
            [(_, answer)] = await peer.receive()
            assert answer.result == 0
            await peer.send(frame(0x0102, BAD, 2, answer.auth_code.encode(), Version.V2011))
            await peer.receive()
            assert platform.terminals[BAD].version is Version.V2011
            await peer.send(frame(0x0004, BAD, 3, b"", Version.V2011))
            [(header, reply)] = await peer.receive()
            assert (header.msg_id, reply.reply_id, reply.result) == (0x8001, 0x0004, 3)
            # 2011 has no 0x0005: answered, or at worst that link alone is closed
            await peer.send(frame(0x0005, BAD, 4, bytes.fromhex("0001020001"), Version.V2011))
            await anyio.sleep(0.2)
            served = [(await good.report()).result for _ in range(3)]
            await peer.aclose()
        assert served == [0, 0, 0]
        assert platform.faults <= 1


@pytest.mark.parametrize("leave", ["move_on_after", "fail_after"])
async def test_leaving_the_platform_by_timeout_closes_it_cleanly(leave):
    """Was: RuntimeError 'Attempted to exit a cancel scope that isn't the current
    task's current cancel scope' when the platform's close was itself cancelled."""
    stopped = False
    with pytest.raises(TimeoutError) if leave == "fail_after" else _nothing():
        with getattr(anyio, leave)(0.3):
            async with Platform() as platform:
                await platform.serve(["tcp://127.0.0.1:0", "udp://127.0.0.1:0"])
                async with await MiniTerminal.connect(platform.url(), GOOD) as terminal:
                    await terminal.login()
                    await anyio.sleep(30)
        stopped = True
    assert stopped or leave == "fail_after"
    assert not platform.connections


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
