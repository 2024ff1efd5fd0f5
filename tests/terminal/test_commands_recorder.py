"""0x8700 / 0x8701 answered by the terminal's Recorder (issue 15)."""
from __future__ import annotations

import datetime as dt

import pytest

from jt808.codec import (COLLECT_ERROR, DriverIdentityReport, PulseCoefficient,
                         RecorderDataCollect, RecorderFrame, RecorderMileage,
                         RecorderParamsDownload, RecorderVersion, VehicleInfo)
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
