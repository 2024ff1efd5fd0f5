"""0x8702 -> 0x0702 from the driver record or the IC-card HAL; 0x8900 pass-through
(issue 15)."""
from __future__ import annotations

import datetime as dt

import pytest

from jt808.codec import DownlinkPassThrough, DriverIdentityReport, DriverIdentityRequest, RawMessage
from jt808.frame import Version

from terminal_platform import anyio_backend  # noqa: F401
from test_commands_params import linked

pytestmark = pytest.mark.anyio

DRIVER = DriverIdentityReport(1, dt.datetime(2024, 5, 6, 7, 8, 9), 0, "Zhang San",
                              "QC1234567890", "Traffic Bureau", dt.date(2030, 1, 1))


async def test_no_driver_known_answers_card_removed(tmp_path):
    async with linked(tmp_path) as (terminal, link, _):
        reply = await link.request(DriverIdentityRequest())
        assert reply.status == 2 and reply.time is not None


async def test_driver_record_from_the_api(tmp_path):
    async with linked(tmp_path) as (terminal, link, platform):
        await terminal.set_driver(DRIVER)
        assert platform.of(0x0702) == [DRIVER]                       # reported at login
        assert await link.request(DriverIdentityRequest()) == DRIVER
        await terminal.set_driver(None)
        assert (await link.request(DriverIdentityRequest())).status == 2


class Card:
    def __init__(self, record) -> None:
        self.record = record

    async def read(self):
        if isinstance(self.record, Exception):
            raise self.record
        return self.record


async def test_ic_card_hal_is_read_on_request(tmp_path):
    async with linked(tmp_path, version=Version.V2019) as (terminal, link, _):
        terminal.ic_card = Card(DriverIdentityReport(1, None, 0, "Li Si", "Q2", "B",
                                                     dt.date(2029, 2, 3), "110101199001011234"))
        reply = await link.request(DriverIdentityRequest())
        assert reply.driver_name == "Li Si" and reply.driver_id_number == "110101199001011234"
        assert reply.time is not None                                # stamped now
        terminal.ic_card = Card(OSError("reader unplugged"))
        assert (await link.request(DriverIdentityRequest())).status == 2


async def test_2011_has_no_0x8702(tmp_path):
    async with linked(tmp_path, version=Version.V2011) as (terminal, link, _):
        reply = await link.request(RawMessage(0x8702, b""))
        assert reply.result == 3 and reply.reply_id == 0x8702


async def test_pass_through_to_the_hook(tmp_path):
    got = []
    async with linked(tmp_path) as (terminal, link, _):
        terminal.on_pass_through = lambda kind, data: got.append((kind, data))
        assert (await link.request(DownlinkPassThrough(0x41, b"\x01\x02"))).result == 0
        assert got == [(0x41, b"\x01\x02")]
        terminal.on_pass_through = lambda kind, data: 1 / 0
        assert (await link.request(DownlinkPassThrough(0x42, b"x"))).result == 1


async def test_pass_through_without_hook_is_kept_bounded(tmp_path):
    async with linked(tmp_path) as (terminal, link, _):
        for n in range(40):
            reply = await link.request(DownlinkPassThrough(0xF0, bytes([n]) * 900))
            assert reply.result == 3
        box = terminal.pass_through
        assert len(box.items) == 32 and box.items[-1] == (0xF0, bytes([39]) * 900)
        assert box.dropped == 8
