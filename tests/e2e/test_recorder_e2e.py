"""Issue 15 end to end: the reference platform asks the terminal's recorder for the
0x08 speed and 0x09 position records of what the terminal reported (positions from
the route GNSS, read and sent the way the reporting loop does), and a call back to a
+ number dials it on the modem simulator."""
from __future__ import annotations

import datetime as dt

import anyio
import pytest

from hal.gnss import RouteGnss
from hal.modem import AtVoiceCalls
from hal.modem_sim import ModemSimulator
from hal.quectel import open_channel
from jt808.codec import (CallBack, RecordRange, RecorderDataCollect, RecorderFrame,
                         SpeedSample, TerminalRegister)
from jt808.platform import Platform
from jt808.terminal import Terminal

pytestmark = pytest.mark.anyio
PHONE = "13800138000"
REGISTER = TerminalRegister(31, 115, "70111", "M1", "T1", 1, "A12345")
START = dt.datetime(2024, 5, 6, 1, 58, 30, tzinfo=dt.timezone.utc)      # 09:58:30 GMT+8
STEP = 23.0                                                    # seconds between positions


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class SteppedClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _half_up(speed: float) -> int:
    return int(speed + 0.5)


async def _collect(platform: Platform, word: int, start, end, blocks: int):
    request = RecorderFrame(word, RecordRange(start, end, blocks)).encode()
    reply = await platform.request(PHONE, RecorderDataCollect(word, request), timeout=10)
    assert reply.msg_id == 0x0700 and reply.cmd_word == word
    return RecorderFrame.decode(reply.cmd_data, upward=True, cmd_word=word)


async def test_the_platform_reads_back_the_reported_speeds_and_positions(tmp_path):
    clock = SteppedClock()
    gnss = RouteGnss(clock=clock, start_utc=START)
    async with Platform() as platform:
        await platform.serve("tcp://127.0.0.1:0")
        terminal = Terminal(platform.url("tcp"), phone=PHONE, register_info=REGISTER,
                            gnss=gnss, params={0x0001: 0, 0x0002: 5, 0x0003: 0,
                                               0x0029: 3600, 0x0027: 3600},
                            store_path=tmp_path / "blind.sqlite")
        async with terminal, anyio.create_task_group() as tg:
            tg.start_soon(terminal.run)
            state = await platform.wait_for(
                lambda: platform.terminals.get(PHONE) if PHONE in platform.terminals
                and platform.terminals[PHONE].authenticated else None)
            for _ in range(12):                                 # 09:58:30 .. 10:02:43
                clock.now += STEP
                report = await terminal.reporter.current()
                assert (await terminal.report_location(report)).result == 0
            await platform.wait_for(lambda: len(state.positions) >= 13)
            sent = list(state.positions)
            # twelve of ours, and the reporting loop's first one after the login
            assert len(sent) == 13 and len({p.time.minute for p in sent}) >= 4
            first, last = sent[0].time, sent[-1].time
            speeds = await _collect(platform, 0x08, first, last, 100)
            hours = await _collect(platform, 0x09, first, last, 100)
            await terminal.close()
            tg.cancel_scope.cancel()
    minutes = {m.start: m for m in speeds.data.minutes}
    assert list(minutes) == sorted(minutes, reverse=True)                 # newest first
    assert set(minutes) == {p.time.replace(second=0) for p in sent}
    for p in sent:
        block = minutes[p.time.replace(second=0)]
        assert block.seconds[p.time.second] == SpeedSample(_half_up(p.speed), 0)
    recorded = sum(s is not None for m in minutes.values() for s in m.seconds)
    assert recorded == len({p.time for p in sent})       # one slot a second, none made up
    by_hour = {h.start: h for h in hours.data.hours}
    assert list(by_hour) == [dt.datetime(2024, 5, 6, 10), dt.datetime(2024, 5, 6, 9)]
    for minute_start in minutes:
        first_there = min((p for p in sent if p.time.replace(second=0) == minute_start),
                          key=lambda p: p.time)
        sample = by_hour[minute_start.replace(minute=0)].minutes[minute_start.minute]
        assert abs(sample.latitude - first_there.latitude) < 2e-6
        assert abs(sample.longitude - first_there.longitude) < 2e-6
        assert sample.altitude == first_there.altitude


async def test_a_call_back_to_an_international_number_dials_it(tmp_path):
    with ModemSimulator() as sim:
        async with open_channel(sim.at_port) as channel, Platform() as platform:
            await platform.serve("tcp://127.0.0.1:0")
            terminal = Terminal(platform.url("tcp"), phone=PHONE, register_info=REGISTER,
                                params={0x0001: 0, 0x0002: 5, 0x0003: 0},
                                store_path=tmp_path / "blind.sqlite")
            async with terminal, anyio.create_task_group() as tg:
                terminal.voice = AtVoiceCalls(channel)
                tg.start_soon(terminal.run)
                await platform.wait_for(lambda: PHONE in platform.terminals
                                        and platform.terminals[PHONE].authenticated)
                reply = await platform.request(PHONE, CallBack(0, "+8613912345678"), timeout=10)
                assert reply.result == 0
                await platform.wait_for(lambda: sim.voice.dialled)
                await terminal.close()
                tg.cancel_scope.cancel()
        assert sim.voice.dialled == ["+8613912345678"]
