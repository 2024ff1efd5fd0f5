"""0x8700 / 0x8701 answered by the terminal's Recorder (issue 15)."""
from __future__ import annotations

import datetime as dt

import pytest

from jt808.codec import (COLLECT_ERROR, DriverIdentityReport, LocationReport, PositionRecords,
                         PositionSample, PulseCoefficient, RecordRange, RecorderDataCollect,
                         RecorderFrame, RecorderMileage, RecorderParamsDownload,
                         RecorderVersion, SpeedSample, VehicleInfo)
from jt808.terminal import Terminal

from terminal_platform import FAST_PARAMS, anyio_backend  # noqa: F401
from test_commands_params import PHONE, linked

pytestmark = pytest.mark.anyio
T = dt.datetime(2024, 3, 23, 10, 10, 10)


def frame(reply) -> RecorderFrame:
    assert reply.msg_id == 0x0700
    return RecorderFrame.decode(reply.cmd_data, upward=True, cmd_word=reply.cmd_word)


async def test_collection_from_the_terminal_data(tmp_path):
    params = {**FAST_PARAMS, 0x0080: 12345, 0x0083: "粤B12345"}
    async with linked(tmp_path, params=params) as (terminal, link, _):
        assert frame(await link.request(RecorderDataCollect(0x00))).data == RecorderVersion("12", 0)
        assert frame(await link.request(RecorderDataCollect(0x01))).error == COLLECT_ERROR
        await terminal.set_driver(DriverIdentityReport(1, T, 0, "Z", "430223199007126687", "B",
                                                       dt.date(2030, 1, 1)), report=False)
        assert frame(await link.request(RecorderDataCollect(0x01))).data.number == \
            "430223199007126687"
        now = frame(await link.request(RecorderDataCollect(0x02))).data.time
        assert abs((now - terminal.recorder.now()).total_seconds()) < 120
        assert frame(await link.request(RecorderDataCollect(0x03))).data.total_mileage == 12345
        assert frame(await link.request(RecorderDataCollect(0x05))).data.plate == "粤B12345"
        assert frame(await link.request(RecorderDataCollect(0x09))).error == COLLECT_ERROR


async def test_settings_are_applied_and_kept(tmp_path):
    async with linked(tmp_path) as (terminal, link, _):
        assert frame(await link.request(RecorderDataCollect(0x05))).error == COLLECT_ERROR
        vehicle = RecorderFrame(0x82, VehicleInfo("LSVAU2180N2183294", "沪A12345", "小型车"))
        assert (await link.request(RecorderParamsDownload(0x82, vehicle.encode()))).result == 0
        pulse = RecorderFrame(0xC3, PulseCoefficient(T, 3600))
        assert (await link.request(RecorderParamsDownload(0xC3, pulse.encode()))).result == 0
        mileage = RecorderFrame(0xC4, RecorderMileage(T, T, 100, 777))
        assert (await link.request(RecorderParamsDownload(0xC4, mileage.encode()))).result == 0
        assert frame(await link.request(RecorderDataCollect(0x05))).data.vin == "LSVAU2180N2183294"
        assert frame(await link.request(RecorderDataCollect(0x04))).data.coefficient == 3600
        assert terminal.params.get(0x0080) == 777
        bad = bytes.fromhex("557A83000600200323101010BB")           # check BB, not BA
        assert (await link.request(RecorderParamsDownload(0x83, bad))).result == 1
        assert (await link.request(RecorderParamsDownload(0x99, b""))).result == 1
    again = Terminal("tcp://127.0.0.1:9", phone=PHONE, store_path=tmp_path / "blind.sqlite")
    assert again.recorder.collect(0x04).coefficient == 3600


def _range_request(word: int, start, end, blocks: int) -> RecorderDataCollect:
    return RecorderDataCollect(word, RecorderFrame(word, RecordRange(start, end, blocks)).encode())


async def test_speed_and_position_records_from_the_reported_positions(tmp_path):
    async with linked(tmp_path) as (terminal, link, _):
        for second, speed in ((0, 30.0), (1, 31.0), (59, 40.0)):
            await terminal.report_location(LocationReport(
                0, 2, 22.5, 113.9, 12, speed, 0, T.replace(second=second)))
        await terminal.report_location(LocationReport(       # the next minute, west/south
            0, 2, -33.5, -122.5, 7, 80.0, 0, T.replace(minute=11, second=3)))
        await terminal.report_location(LocationReport(       # unpositioned: not a record
            0, 0, 0.0, 0.0, 0, 99.0, 0, T.replace(minute=12)))
        day = (T.replace(hour=0, minute=0, second=0), T.replace(hour=23, minute=59, second=0))
        speeds = frame(await link.request(_range_request(0x08, *day, 10))).data
        assert [m.start for m in speeds.minutes] == [T.replace(minute=11, second=0),
                                                   T.replace(second=0)]
        newest, older = speeds.minutes
        assert newest.seconds[3] == SpeedSample(80, 0)
        assert (older.seconds[0], older.seconds[1], older.seconds[59]) == (
            SpeedSample(30, 0), SpeedSample(31, 0), SpeedSample(40, 0))
        assert older.seconds[2:59] == (None,) * 57
        only_newest = frame(await link.request(_range_request(0x08, *day, 1))).data
        assert only_newest.minutes == (newest,)
        [hour] = frame(await link.request(_range_request(0x09, *day, 5))).data.hours
        assert hour.start == T.replace(minute=0, second=0)
        assert hour.minutes[10] == PositionSample(113.9, 22.5, 12, 34)    # (30+31+40)/3
        assert hour.minutes[11] == PositionSample(-122.5, -33.5, 7, 80)
        assert hour.minutes[12] is None
        other_day = (T - dt.timedelta(days=2), T - dt.timedelta(days=1))
        empty = frame(await link.request(_range_request(0x09, *other_day, 5)))
        assert empty.error is None and empty.data == PositionRecords(())


@pytest.mark.parametrize("cmd_data", [
    b"",                                                          # no range at all
    RecorderFrame(0x08, RecordRange(T, T, 0)).encode(),           # N = 0 (N >= 1)
    bytes.fromhex("557A08000E00200322101010200323101010000128"),  # check byte 28, not 29
])
async def test_a_record_request_without_a_usable_range_gets_the_error_frame(tmp_path, cmd_data):
    async with linked(tmp_path) as (terminal, link, _):
        await terminal.report_location(LocationReport(0, 2, 22.5, 113.9, 12, 30.0, 0, T))
        assert frame(await link.request(RecorderDataCollect(0x08, cmd_data))).error == \
            COLLECT_ERROR
