"""Bad time never costs a position (issue 18). The 0x0200 BCD time holds 2000-2099
(2013 §8.18 table 23, "YY-MM-DD-hh-mm-ss (GMT+8)"); six zero bytes mean no time.

- a GNSS date in 1999 is a week-number rollover: sent +1024 weeks;
- the GPS epoch (1980) or a 1970 system clock with no fix: sent with no time;
- both are counted and logged, the report is never dropped."""
from __future__ import annotations

import datetime as dt
import logging

import pytest

from hal.gnss import Fix
from jt808.codec import encode_body, decode_body
from jt808.frame import Version
from jt808.terminal import Terminal, fix_to_report
from jt808.terminal._reporting import sane_report_time

pytestmark = pytest.mark.anyio

UTC = dt.timezone.utc


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def fix_at(when: dt.datetime) -> Fix:
    return Fix(31.0, 121.0, 10.0, 36.0, 90.0, when, 8, True)


def test_a_1999_gnss_date_is_moved_forward_1024_weeks():
    # 2019-04-07 GPS rollover: a receiver without the fix reports 1999-08-22
    report = fix_to_report(fix_at(dt.datetime(1999, 8, 22, 0, 0, 5, tzinfo=UTC)))
    assert report.time == dt.datetime(2019, 4, 7, 8, 0, 5)            # GMT+8
    assert decode_body(0x0200, encode_body(report, Version.V2019), Version.V2019).time \
        == report.time


@pytest.mark.parametrize("when", [dt.datetime(1980, 1, 6, tzinfo=UTC),
                                  dt.datetime(1970, 1, 1, tzinfo=UTC),
                                  dt.datetime(2100, 1, 1, tzinfo=UTC)])
def test_a_date_that_cannot_be_sent_goes_as_no_time(when):
    report = fix_to_report(fix_at(when))
    assert report.time is None
    assert encode_body(report, Version.V2019)[22:28] == bytes(6)     # the BCD time


def test_sane_report_time_says_what_it_did():
    assert sane_report_time(dt.datetime(2024, 5, 1)) == (dt.datetime(2024, 5, 1), None)
    assert sane_report_time(None) == (None, None)
    assert sane_report_time(dt.datetime(1999, 1, 1))[1] == "gps-rollover"
    assert sane_report_time(dt.datetime(1980, 1, 6)) == (None, "out-of-range")


class GnssAt:
    def __init__(self, when: dt.datetime) -> None:
        self.when = when

    async def read(self) -> Fix:
        return fix_at(self.when)


async def test_the_terminal_stores_and_counts_a_rollover_position(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="jt808.terminal")
    terminal = Terminal("tcp://127.0.0.1:9", phone="13800138000",
                        gnss=GnssAt(dt.datetime(1999, 8, 22, tzinfo=UTC)),
                        store_path=tmp_path / "blind.sqlite")
    async with terminal:
        report = await terminal.reporter.current()
        assert await terminal.report_location(report) is None      # stored, not dropped
        assert terminal.store.count("position") == 1
    assert terminal.reporter.time_faults == 1
    assert any("rollover" in r.getMessage() for r in caplog.records)


async def test_a_1970_wall_clock_without_fix_still_gives_an_alarm_report(tmp_path):
    """No GNSS position and a system clock at 1970: the alarm goes out without time."""
    terminal = Terminal("tcp://127.0.0.1:9", phone="13800138000", wall_clock=lambda: 5.0,
                        store_path=tmp_path / "blind.sqlite")
    async with terminal:
        snapshot = await terminal.reporter.snapshot()
        assert snapshot.time is None
        assert await terminal.report_location(snapshot, critical=True) is None
        assert terminal.store.count("alarm") == 1
    assert terminal.reporter.time_faults == 1
