"""Terminal gaps: alarm bits (immediate report, clear-on-reply, critical alarms kept until
confirmed and re-sent after reconnect), 0x8203 and 0x8500 default answers."""
from __future__ import annotations

import anyio
import pytest

from jt808.codec import ManualAlarmConfirm, TerminalRegister, VehicleControl
from jt808.terminal import Terminal

from terminal_platform import (AUTH_CODE, FAST_PARAMS, TestPlatform, anyio_backend,  # noqa: F401
                               memory_url)

pytestmark = pytest.mark.anyio

REGISTER = TerminalRegister(31, 115, "70111", "M1", "T1", 1, "A12345")
EMERGENCY, OVER_SPEED, AREA = 1 << 0, 1 << 1, 1 << 20


def make_terminal(url: str, store, version: str = "2019") -> Terminal:
    return Terminal(url, phone="13800138000", register_info=REGISTER, auth_code=AUTH_CODE,
                    params=dict(FAST_PARAMS), store_path=store, version=version)


def flags(platform) -> list[int]:
    return [m.alarm_flag for m in platform.of(0x0200)]


async def test_alarm_change_reported_at_once_and_clear_on_reply_rule(tmp_path):
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        with anyio.fail_after(10):
            async with make_terminal(url, tmp_path / "b.sqlite") as terminal:
                await terminal.connect()
                await terminal.login()
                assert terminal.set_alarm("emergency_alarm") == EMERGENCY
                await platform.until(lambda: flags(platform) == [EMERGENCY])
                await platform.until(lambda: terminal.alarm_flag == 0)   # cleared on reply
                assert terminal.store.count("alarm") == 0
                terminal.set_alarm([1])                                  # over speed: holds
                await platform.until(lambda: len(flags(platform)) == 2)
                await platform.until(lambda: not terminal.session.pending)
                assert terminal.alarm_flag == OVER_SPEED and flags(platform)[1] == OVER_SPEED
                terminal.set_alarm(OVER_SPEED)                          # no change: no report
                terminal.clear_alarm(OVER_SPEED)
                await platform.until(lambda: len(flags(platform)) == 3)
                assert flags(platform)[2] == 0 and terminal.alarm_flag == 0
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_unconfirmed_emergency_kept_and_resent_after_reconnect(tmp_path):
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        with anyio.fail_after(10):
            async with make_terminal(url, tmp_path / "b.sqlite") as terminal:
                await terminal.connect()
                await terminal.login()
                platform.drop_reports = True
                terminal.set_alarm("emergency_alarm")
                await platform.until(lambda: flags(platform) == [EMERGENCY])
                await platform.until(lambda: not terminal.session.pending)     # timed out
                assert terminal.store.count("alarm") == 1 and terminal.store.count() == 1
                assert terminal.alarm_flag == EMERGENCY                # not confirmed: holds
                await terminal.disconnect()
                platform.drop_reports = False
                await terminal.connect()
                await terminal.login()
                await platform.until(lambda: terminal.store.count("alarm") == 0)
                assert flags(platform) == [EMERGENCY, EMERGENCY]        # re-sent as 0x0200
                assert terminal.alarm_flag == 0 and not platform.of(0x0704)
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_manual_confirm_0x8203_clears_bits_and_stored_alarm(tmp_path):
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        with anyio.fail_after(10):
            async with make_terminal(url, tmp_path / "b.sqlite") as terminal:
                await terminal.connect()
                await terminal.login()
                platform.drop_reports = True
                terminal.set_alarm(AREA | OVER_SPEED)
                await platform.until(lambda: flags(platform) == [AREA | OVER_SPEED])
                assert terminal.store.count("alarm") == 1
                link = await platform.wait_link()
                ok = await link.request(ManualAlarmConfirm(0, AREA | OVER_SPEED))
                assert ok.result == 0
                assert terminal.alarm_flag == OVER_SPEED        # not confirmable: holds
                # the stored alarm is deleted off the event loop, just after the answer
                await platform.until(lambda: terminal.store.count("alarm") == 0)
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_vehicle_control_answers_0500_with_position_after_hook(tmp_path):
    controls = []

    def on_vehicle_control(message):
        controls.append(message.control_flag)
        terminal.reporter.status |= 1 << 12               # the application locked the doors
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        with anyio.fail_after(10):
            # 0x8500 with a one-byte control flag is the 2013 layout (2019 §8.57 differs)
            async with make_terminal(url, tmp_path / "b.sqlite", "2013") as terminal:
                terminal.on_vehicle_control = on_vehicle_control
                await terminal.connect()
                await terminal.login()
                link = await platform.wait_link()
                answer = await link.request(VehicleControl(1))
        assert controls == [1] and answer.msg_id == 0x0500
        assert answer.location.status & (1 << 12) and answer.location.time is not None
        await platform.aclose()
        tg.cancel_scope.cancel()


def test_bad_alarm_bits_are_local_errors():
    from jt808.errors import LocalProtocolError
    terminal = Terminal("tcp://127.0.0.1:9", phone="1")
    for bad in ("no_such_alarm", [32], 1 << 32, -1, [True]):
        with pytest.raises(LocalProtocolError):
            terminal.set_alarm(bad)
    assert terminal.set_alarm(["emergency_alarm", 20]) == EMERGENCY | AREA  # no loop: stored
