"""Terminal gaps: 0x8108 upgrade package of 20 KB in subpackets with one packet lost
(2019: the terminal asks with 0x0005 and the platform resends; 2013: the terminal waits)."""
from __future__ import annotations

import time

import anyio
import pytest

from jt808.codec import TerminalRegister, UpgradePackage, UpgradeResult
from jt808.frame import Version
from jt808.terminal import Terminal

from terminal_platform import (AUTH_CODE, FAST_PARAMS, TestPlatform, anyio_backend,  # noqa: F401
                               memory_url)

pytestmark = pytest.mark.anyio

REGISTER = TerminalRegister(31, 115, "70111", "M1", "T1", 1, "A12345")
PACKAGE = bytes(range(256)) * 80                      # 20480 bytes -> 21 packets of <= 1023
LOST = 5                                               # index (from 0) of the dropped packet


async def _setup(tg, version: Version, **hooks):
    platform = TestPlatform(tg, version)
    url = await platform.start(memory_url())
    terminal = Terminal(url, phone="13800138000", version=version, register_info=REGISTER,
                        auth_code=AUTH_CODE, params=dict(FAST_PARAMS))
    for name, hook in hooks.items():
        setattr(terminal, name, hook)
    sent = []
    original_send = terminal.session.send

    def spy(message, now, **kw):
        sent.append(message.msg_id)
        return original_send(message, now, **kw)
    terminal.session.send = spy
    return platform, terminal, sent


def _send_upgrade_losing_one(link) -> tuple[int, bytes]:
    link.session.update_params({0x0002: 30})          # the platform waits, no retry
    message = UpgradePackage(0, "70111", "2.0.1", PACKAGE)
    first = link.session.send(message, time.monotonic())
    frames = link.session.datagrams_to_send()
    assert len(frames) == 21
    lost = frames.pop(LOST)
    link.platform.tg.start_soon(link.transport.send, b"".join(frames))
    return first, lost


async def test_2019_lost_packet_asked_with_0005_then_hook_and_0108():
    calls = []

    async def on_upgrade(kind, maker, firmware, package):
        calls.append((kind, maker, firmware, package))
        return 0
    async with anyio.create_task_group() as tg:
        platform, terminal, sent = await _setup(tg, Version.V2019, on_upgrade=on_upgrade)
        with anyio.fail_after(10):
            async with terminal:
                await terminal.connect()
                await terminal.login()
                link = await platform.wait_link()
                first, _ = _send_upgrade_losing_one(link)
                await platform.until(lambda: platform.of(0x0108))
        assert calls == [(0, "70111", "2.0.1", PACKAGE)]
        assert 0x0005 in sent and sent.index(0x0005) < sent.index(0x0001)
        [ack] = [m for m in platform.of(0x0001) if m.reply_id == 0x8108]
        assert ack.result == 0 and ack.reply_serial == first + 20     # the last packet's
        assert platform.of(0x0108) == [UpgradeResult(0, 0)]
        assert platform.ids().index(0x0001) < platform.ids().index(0x0108)
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_2013_terminal_waits_for_the_lost_packet_sync_hook_cancelled():
    calls = []

    def on_upgrade(kind, maker, firmware, package):   # sync: runs in a worker thread
        calls.append(len(package))
        return 2
    async with anyio.create_task_group() as tg:
        platform, terminal, sent = await _setup(tg, Version.V2013, on_upgrade=on_upgrade)
        with anyio.fail_after(10):
            async with terminal:
                await terminal.connect()
                await terminal.login()
                link = await platform.wait_link()
                _, lost = _send_upgrade_losing_one(link)
                await platform.until(lambda: terminal.session.reassembler.partials and len(
                    next(iter(terminal.session.reassembler.partials.values())).pieces) == 20)
                await anyio.sleep(0.2)
                assert calls == [] and 0x0005 not in sent and not platform.of(0x0001)
                await link.transport.send(lost)        # the platform sends it again
                await platform.until(lambda: platform.of(0x0108))
        assert calls == [len(PACKAGE)]
        assert platform.of(0x0108) == [UpgradeResult(0, 2)]
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_upgrade_without_hook_not_supported_and_failing_hook_reports_1():
    def broken(*args):
        raise RuntimeError("flash failed")
    async with anyio.create_task_group() as tg:
        platform, terminal, _ = await _setup(tg, Version.V2013)
        with anyio.fail_after(10):
            async with terminal:
                await terminal.connect()
                await terminal.login()
                link = await platform.wait_link()
                small = UpgradePackage(52, "70111", "1.1", b"\x01" * 100)
                assert (await link.request(small)).result == 3
                terminal.on_upgrade = broken
                assert (await link.request(small)).result == 0
                await platform.until(lambda: platform.of(0x0108))
        assert platform.of(0x0108) == [UpgradeResult(52, 1)]
        await platform.aclose()
        tg.cancel_scope.cancel()
