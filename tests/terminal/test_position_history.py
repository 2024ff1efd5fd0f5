"""The recorder's position history (0x08 / 0x09 blocks from reports): slots, averages,
range and limit, bounds, and a real sqlite file (persisted, merged, corrupt)."""
from __future__ import annotations

import datetime as dt
import logging

import pytest

from jt808.codec import LocationReport, PositionSample, SpeedSample
from jt808.terminal._position_history import HOURS_KEPT, MINUTES_KEPT, PositionHistory

pytestmark = pytest.mark.anyio
T = dt.datetime(2024, 3, 23, 10, 10, 0)
POSITIONED = 1 << 1


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def report(when, speed=60.0, lat=22.5, lon=113.9, alt=30, status=POSITIONED):
    return LocationReport(0, status, lat, lon, alt, speed, 90, when)


async def test_seconds_minutes_and_the_hour_block():
    history = PositionHistory(None)
    history.add(report(T + dt.timedelta(seconds=5), speed=40.4))
    history.add(report(T + dt.timedelta(seconds=6), speed=50.6, lat=22.6))  # same minute
    history.add(report(T + dt.timedelta(minutes=1, seconds=59), speed=0.0, lat=-33.5,
                       lon=-122.5, alt=7))
    newest, older = await history.speed_minutes(None, None, 10)
    assert (newest.start, older.start) == (T + dt.timedelta(minutes=1), T)
    assert older.seconds[5:7] == (SpeedSample(40, 0), SpeedSample(51, 0))
    assert older.seconds[:5] == (None,) * 5 and older.seconds[7:] == (None,) * 53
    assert newest.seconds[59] == SpeedSample(0, 0)
    [hour] = await history.position_hours(None, None, 10)
    assert hour.start == T.replace(minute=0)
    # minute 10: the first position of the minute, the average of its seconds (40, 51)
    assert hour.minutes[10] == PositionSample(113.9, 22.5, 30, 46)
    assert hour.minutes[11] == PositionSample(-122.5, -33.5, 7, 0)
    assert hour.minutes[:10] == (None,) * 10 and hour.minutes[12:] == (None,) * 48


async def test_unpositioned_and_timeless_reports_are_not_records():
    history = PositionHistory(None)
    assert history.add(report(T, status=0)) is False
    assert history.add(report(None)) is False
    assert await history.speed_minutes(None, None, 10) == []
    assert await history.position_hours(None, None, 10) == []


async def test_an_aware_time_counts_by_its_wall_clock_fields_as_sent():
    """Found by the e2e matrix: a report with an aware time next to naive ones."""
    history = PositionHistory(None)
    history.add(report(T))
    aware = T.replace(second=7, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert history.add(report(aware + dt.timedelta(minutes=1), speed=9)) is True
    newest, _ = await history.speed_minutes(None, None, 5)
    assert newest.start == T + dt.timedelta(minutes=1)
    assert newest.seconds[7] == SpeedSample(9, 0)


async def test_a_newer_minute_asks_for_a_flush():
    history = PositionHistory(None)
    assert history.add(report(T)) is False                          # the first one
    assert history.add(report(T + dt.timedelta(seconds=30))) is False
    assert history.add(report(T + dt.timedelta(minutes=1))) is True
    assert history.add(report(T + dt.timedelta(seconds=40))) is False   # late, older


async def test_range_overlap_newest_first_and_limit():
    history = PositionHistory(None)
    for m in range(0, 180, 1):
        history.add(report(T + dt.timedelta(minutes=m, seconds=1)))
    # start inside 10:15 still takes that minute; end 10:20:00 takes 10:20
    got = await history.speed_minutes(T + dt.timedelta(minutes=5, seconds=30),
                                      T + dt.timedelta(minutes=10), 100)
    assert [m.start.minute for m in got] == [20, 19, 18, 17, 16, 15]
    assert [m.start.minute for m in await history.speed_minutes(None, None, 2)] == [9, 8]
    hours = await history.position_hours(T + dt.timedelta(hours=1), None, 5)
    assert [h.start.hour for h in hours] == [13, 12, 11]
    assert await history.position_hours(T + dt.timedelta(hours=5), None, 5) == []
    assert await history.speed_minutes(None, None, 0) == []


async def test_bounded_to_48_hours_of_minutes_and_360_hours():
    history = PositionHistory(None)
    for m in range(MINUTES_KEPT + 5):
        history.add(report(T + dt.timedelta(minutes=m)))
    minutes = history.blocks["speed"]
    assert len(minutes) == MINUTES_KEPT and min(minutes) == T + dt.timedelta(minutes=5)
    for h in range(HOURS_KEPT + 3):
        history.add(report(T + dt.timedelta(hours=h)))
    assert len(history.blocks["position"]) == HOURS_KEPT
    assert len(history.blocks["speed"]) == MINUTES_KEPT


async def test_persisted_read_back_and_merged_slot_by_slot(tmp_path):
    path = tmp_path / "blind.sqlite.history.sqlite"
    first = PositionHistory(path)
    first.add(report(T + dt.timedelta(seconds=1), speed=11))
    await first.flush()
    again = PositionHistory(path)
    again.add(report(T + dt.timedelta(seconds=2), speed=22))   # same minute, before loading
    [minute] = await again.speed_minutes(None, None, 5)
    assert minute.seconds[1:3] == (SpeedSample(11, 0), SpeedSample(22, 0))
    await again.flush()
    third = PositionHistory(path)
    [minute] = await third.speed_minutes(None, None, 5)
    assert minute.seconds[1:3] == (SpeedSample(11, 0), SpeedSample(22, 0))
    [hour] = await third.position_hours(None, None, 5)
    assert hour.minutes[10] == PositionSample(113.9, 22.5, 30, 17)     # (11 + 22) / 2, half up


async def test_dropped_blocks_leave_the_file_too(tmp_path):
    path = tmp_path / "history.sqlite"
    history = PositionHistory(path)
    for m in range(MINUTES_KEPT + 2):
        history.add(report(T + dt.timedelta(minutes=m)))
    await history.flush()
    again = PositionHistory(path)
    await again.flush()
    assert len(again.blocks["speed"]) == MINUTES_KEPT
    assert min(again.blocks["speed"]) == T + dt.timedelta(minutes=2)


async def test_a_corrupt_file_is_moved_aside_and_memory_goes_on(tmp_path, caplog):
    path = tmp_path / "history.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    history = PositionHistory(path)
    history.add(report(T))
    with caplog.at_level(logging.ERROR, "jt808.terminal"):
        [minute] = await history.speed_minutes(None, None, 5)
    assert minute.seconds[0] == SpeedSample(60, 0)
    assert (tmp_path / "history.sqlite.corrupt").exists()
    assert "unreadable" in caplog.text
    await history.flush()                                         # memory only, no raise
    assert history.path is None


async def test_an_unwritable_file_keeps_the_history_in_memory(tmp_path, caplog):
    path = tmp_path / "missing-dir" / "history.sqlite"
    history = PositionHistory(path)
    history.add(report(T))
    with caplog.at_level(logging.ERROR, "jt808.terminal"):
        await history.flush()
    assert "cannot be written" in caplog.text and history.path is None
    assert len(await history.speed_minutes(None, None, 5)) == 1
