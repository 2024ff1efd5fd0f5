"""What the platform keeps per terminal is bounded; trace lines are built only when wanted."""
from __future__ import annotations

import logging

import pytest

from jt808.codec import LocationBatchReport, PlatformGeneralResponse
from jt808.demo import MiniTerminal, location
from jt808.frame import Header, Version
from jt808.platform import Platform, TerminalRecord
from jt808.platform import _driver
from jt808.platform._terminal_state import BoundedList

pytestmark = pytest.mark.anyio

TCP = "tcp://127.0.0.1:0"


def _header(msg_id: int, serial: int) -> Header:
    return Header(msg_id, "13900000001", serial, Version.V2013)


def test_bounded_list_keeps_only_the_newest_items():
    items = BoundedList(3, range(5))
    assert items == [2, 3, 4]
    items.append(5)
    assert items == [3, 4, 5]
    items.extend([6, 7, 8, 9])
    assert items == [7, 8, 9] and items.maxlen == 3
    assert items + [10] == [7, 8, 9, 10]                  # still a list for callers


@pytest.mark.parametrize("maxlen", [0, -1])
def test_bounded_list_refuses_a_bound_below_one(maxlen):
    with pytest.raises(ValueError, match="maxlen"):
        BoundedList(maxlen)


def test_record_bounds_messages_and_positions_and_counts_everything():
    record = TerminalRecord("13900000001", max_messages=4, max_positions=3)
    reports = [location(39.9 + n / 100, 116.3) for n in range(6)]
    for serial, report in enumerate(reports):
        record.record(_header(0x0200, serial), report)
    batch = LocationBatchReport(0, tuple(reports[:2]))
    record.record(_header(0x0704, 6), batch)
    assert [h.serial for h, _ in record.received] == [3, 4, 5, 6]
    assert record.positions == [reports[5], reports[0], reports[1]]
    assert record.message_count == 7 and record.position_count == 8
    assert record.last_position == reports[1]
    assert record.batches == [batch]


def test_record_with_an_empty_batch_keeps_its_last_position():
    record = TerminalRecord("13900000001")
    report = location(39.9, 116.3)
    record.record(_header(0x0200, 0), report)
    record.record(_header(0x0704, 1), LocationBatchReport(0, ()))
    assert record.last_position == report and record.position_count == 1


async def test_platform_bounds_apply_to_every_terminal():
    async with Platform(max_messages=3, max_positions=2) as platform:
        await platform.serve(TCP)
        async with await MiniTerminal.connect(platform.url(), "13900000002") as terminal:
            await terminal.login()
            for n in range(4):
                await terminal.report(location(39.9 + n / 100, 116.3))
        record = platform.terminals["13900000002"]
        assert [h.msg_id for h, _ in record.received] == [0x0200] * 3
        assert [round(p.latitude, 2) for p in record.positions] == [39.92, 39.93]
        assert record.message_count == 6 and record.position_count == 4


def _forbid_describing(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a trace line was built while nobody traces")
    monkeypatch.setattr(_driver, "describe", refuse)
    monkeypatch.setattr(_driver, "_describe_frame", refuse)


async def test_quiet_platform_never_builds_trace_lines(monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="jt808.platform")
    _forbid_describing(monkeypatch)
    async with Platform() as platform:
        await platform.serve(TCP)
        async with await MiniTerminal.connect(platform.url(), "13900000003") as terminal:
            await terminal.login()
            reply = await terminal.report(location(39.9, 116.3))
            assert reply == PlatformGeneralResponse(reply.reply_serial, 0x0200, 0)


async def test_trace_callback_gets_both_directions():
    lines: list[str] = []
    async with Platform(trace=lines.append) as platform:
        await platform.serve(TCP)
        async with await MiniTerminal.connect(platform.url(), "13900000004") as terminal:
            await terminal.login()
            await terminal.report(location(39.9, 116.3))
    assert any("<- 0x0200 LocationReport" in line for line in lines)
    assert any("-> 0x8001 PlatformGeneralResponse" in line for line in lines)


async def test_info_logging_alone_turns_tracing_on(caplog):
    caplog.set_level(logging.INFO, logger="jt808.platform")
    async with Platform() as platform:
        await platform.serve(TCP)
        async with await MiniTerminal.connect(platform.url(), "13900000005") as terminal:
            await terminal.login()
            await terminal.report(location(39.9, 116.3))
    messages = [r.getMessage() for r in caplog.records]
    assert any("<- 0x0200 LocationReport" in m for m in messages)
    assert any("-> 0x8001" in m for m in messages)
