"""GNSS backends: +QGPSLOC, the simulated route, NMEA over a real pty, NMEA log replay."""
from __future__ import annotations

import os
import pty
from datetime import datetime, timedelta, timezone

import pytest

from hal.errors import ModemError
from hal.gnss._route import distance_m
from hal.gnss import (
    DEFAULT_ROUTE, Fix, GnssPortError, GnssSource, NmeaFileGnss, NmeaSerialGnss,
    QgpslocError, QuectelGnss, RouteGnss, Waypoint, nmea_checksum, parse_qgpsloc,
)

pytestmark = pytest.mark.anyio

# quectel-at.md §8, AT+QGPSLOC=2 reply (mode 2: signed decimal degrees).
QGPSLOC = "+QGPSLOC: 024158.0,40.90340,111.78228,1.5,1125.0,2,307.37,0.0,0.0,271223,04"
# quectel-at.md §8 / classic NMEA 0183 example (see test_nmea.py for sources).
QUECTEL_RMC = b"$GPRMC,024158.00,A,4054.204000,N,11146.936800,E,0.0,307.4,271223,,,A*57\r\n"
CLASSIC_RMC = b"$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A\r\n"
CLASSIC_GGA = b"$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n"


def test_parse_qgpsloc_reference_reply() -> None:
    fix = parse_qgpsloc(QGPSLOC)
    assert fix == Fix(latitude=40.9034, longitude=111.78228, altitude=1125.0, speed=0.0,
                      direction=307.37, satellites=4, valid=True, hdop=1.5,
                      utc=datetime(2023, 12, 27, 2, 41, 58, tzinfo=timezone.utc))
    assert parse_qgpsloc(QGPSLOC.encode() + b"\r\n") == fix
    assert parse_qgpsloc(QGPSLOC.removeprefix("+QGPSLOC: ")) == fix


def test_parse_qgpsloc_negative_degrees() -> None:
    # Constructed from the §8 field list: a mode-2 reply south and west.
    fix = parse_qgpsloc("+QGPSLOC: 120000.0,-33.86880,-151.20930,0.8,5.0,3,90.00,36.0,19.4,010224,11")
    assert (fix.latitude, fix.longitude, fix.speed, fix.satellites) == (-33.8688, -151.2093, 36.0, 11)


@pytest.mark.parametrize("reply", [
    "",
    "+QGPSLOC: 024158.0,40.90340,111.78228",                                  # truncated
    QGPSLOC + ",extra",                                                        # too many fields
    QGPSLOC.replace("40.90340", "north"),
    QGPSLOC.replace("271223", "321323"),                                       # bad date
    QGPSLOC.replace("40.90340", "140.90340"),                                  # out of range
    QGPSLOC.replace(",04", ",x"),
])
def test_parse_qgpsloc_rejects_malformed(reply: str) -> None:
    with pytest.raises(QgpslocError):
        parse_qgpsloc(reply)


class FakeModem:
    """Stands in for hal.quectel.QuectelModem: async gnss_on()/gnss_location()."""

    def __init__(self, replies: list[object]) -> None:
        self.replies = replies
        self.gnss_on_calls = 0

    async def gnss_on(self) -> None:
        self.gnss_on_calls += 1
        if self.gnss_on_calls == 1:
            raise ModemError("+CME ERROR: 504", kind="CME", code=504)   # already on: fine

    async def gnss_location(self) -> object:
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


async def test_quectel_gnss_turns_on_and_maps_cme_codes() -> None:
    modem = FakeModem([
        ModemError("+CME ERROR: 516", kind="CME", code=516),   # not fixed yet
        QGPSLOC,
        ModemError("+CME ERROR: 505", kind="CME", code=505),   # engine went off
        QGPSLOC.encode(),
        ModemError("+CME ERROR: 503", kind="CME", code=503),   # busy: a real error
    ])
    gnss = QuectelGnss(modem)
    assert isinstance(gnss, GnssSource)
    assert await gnss.read() is None
    assert modem.gnss_on_calls == 1
    assert (await gnss.read()).latitude == 40.9034
    assert await gnss.read() is None
    assert (await gnss.read()).hdop == 1.5
    assert modem.gnss_on_calls == 2          # switched on again after CME 505
    with pytest.raises(ModemError):
        await gnss.read()


async def test_quectel_gnss_with_the_drivers_qgpsloc() -> None:
    from hal.quectel import QGpsLoc
    loc = QGpsLoc.parse(QGPSLOC.removeprefix("+QGPSLOC: "))
    gnss = QuectelGnss(FakeModem([loc]))
    assert await gnss.read() == parse_qgpsloc(QGPSLOC)


async def test_quectel_gnss_accepts_sync_driver_and_parsed_values() -> None:
    fix = Fix(latitude=1.0, valid=True)

    class SyncModem:
        def gnss_on(self) -> None: ...
        def gnss_location(self) -> Fix: return fix

    assert await QuectelGnss(SyncModem()).read() is fix


START = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)
SQUARE = [Waypoint(0.0, 0.0, speed=36.0), Waypoint(0.0, 0.01, speed=72.0, dwell=10.0),
          Waypoint(-0.01, 0.01, speed=36.0)]


def test_route_interpolates_along_legs() -> None:
    route = RouteGnss(SQUARE, loop=False, start_utc=START)
    leg = route.legs[0]
    assert leg.drive == pytest.approx(111.2, abs=0.5)      # 0.01° of longitude at 10 m/s
    mid = route.fix_at(leg.drive / 2)
    assert (mid.latitude, mid.longitude) == pytest.approx((0.0, 0.005))
    assert mid.speed == 36.0 and mid.direction == pytest.approx(90.0)
    assert mid.utc == START + timedelta(seconds=leg.drive / 2)
    stopped = route.fix_at(leg.drive + 5)                  # dwell at waypoint 1
    assert (stopped.longitude, stopped.speed) == (0.01, 0.0)
    south = route.fix_at(leg.drive + 10 + route.legs[1].drive / 2)
    assert south.latitude == pytest.approx(-0.005) and south.direction == pytest.approx(180.0)
    assert south.speed == 72.0
    end = route.fix_at(10_000)
    assert (end.latitude, end.longitude, end.speed) == (-0.01, 0.01, 0.0)
    assert all(route.fix_at(t).valid for t in range(0, 400, 7))


def test_route_loop_repeats_and_returns_to_start() -> None:
    route = RouteGnss(SQUARE, loop=True, start_utc=START)
    assert len(route.legs) == 3
    first, again = route.fix_at(3.0), route.fix_at(route.duration + 3.0)
    assert (first.latitude, first.longitude) == pytest.approx((again.latitude, again.longitude))
    assert again.utc - first.utc == timedelta(seconds=route.duration)


def test_route_positions_move_continuously_at_realistic_speed() -> None:
    route = RouteGnss(start_utc=START)
    assert len(DEFAULT_ROUTE) >= 4 and 15 * 60 < route.duration < 2 * 3600
    previous = route.fix_at(0)
    for t in range(1, int(route.duration) + 60):
        fix = route.fix_at(t)
        step_m = distance_m(Waypoint(previous.latitude, previous.longitude),
                            Waypoint(fix.latitude, fix.longitude))
        assert step_m <= 60 / 3.6 + 0.01                    # never faster than 60 km/h
        assert 0 <= fix.speed <= 60 and 0 <= fix.direction < 360
        previous = fix


async def test_route_read_uses_clock() -> None:
    now = [100.0]
    route = RouteGnss(SQUARE, clock=lambda: now[0], start_utc=START)
    assert (await route.read()).utc == START
    now[0] += 50.0
    assert await route.read() == route.fix_at(50.0)


@pytest.mark.parametrize("points", [[Waypoint(1, 1)], [Waypoint(1, 1), Waypoint(1, 1)],
                                    [Waypoint(1, 1, speed=0), Waypoint(2, 2)]])
def test_route_rejects_bad_waypoints(points: list[Waypoint]) -> None:
    with pytest.raises(ValueError):
        RouteGnss(points)


def test_route_rejects_negative_time() -> None:
    with pytest.raises(ValueError):
        RouteGnss(SQUARE).fix_at(-1)


@pytest.fixture
def pty_pair():
    master, slave = pty.openpty()
    yield master, os.ttyname(slave)
    os.close(master)
    os.close(slave)


async def test_serial_gnss_over_pty_returns_newest_fix(pty_pair) -> None:
    master, name = pty_pair
    async with NmeaSerialGnss(name, timeout=0.3) as gnss:
        assert await gnss.read() is None                         # nothing sent yet
        os.write(master, CLASSIC_GGA + CLASSIC_RMC + b"junk\r\n" + QUECTEL_RMC[:30])
        fix = await gnss.read()
        assert fix.latitude == pytest.approx(48.1173) and fix.satellites == 8
        os.write(master, QUECTEL_RMC[30:] + CLASSIC_RMC.replace(b"*6A", b"*00"))
        fix = await gnss.read()
        assert fix.latitude == pytest.approx(40.9034)
        assert gnss.parser.bad_checksum == 1 and gnss.parser.bad_format == 1


async def test_serial_gnss_drains_backlog_to_newest(pty_pair) -> None:
    master, name = pty_pair
    async with NmeaSerialGnss(name, timeout=0.5) as gnss:
        lines = b"".join(
            b"$%s*%02X\r\n" % (body, nmea_checksum(body))
            for body in (b"GPRMC,0000%02d,A,0100.000,N,00200.000,E,0,0,010124,," % s
                         for s in range(40)))
        os.write(master, lines)
        fix = await gnss.read()
        while (more := await gnss.read()) is not None:
            fix = more
        assert fix.utc.second == 39


def test_serial_gnss_missing_port() -> None:
    with pytest.raises(GnssPortError, match="cannot open"):
        NmeaSerialGnss("/dev/does-not-exist-gnss")


async def test_file_replay(tmp_path) -> None:
    log = tmp_path / "drive.nmea"
    log.write_bytes(CLASSIC_GGA + CLASSIC_RMC + b"\x00junk\n" + QUECTEL_RMC.rstrip())
    async with NmeaFileGnss(log) as gnss:
        assert (await gnss.read()).altitude == 545.4
        assert (await gnss.read()).latitude == pytest.approx(40.9034)  # last line, no newline
        assert await gnss.read() is None
        assert gnss.parser.bad_format == 1
    looped = NmeaFileGnss(log, loop=True)
    got = [await looped.read() for _ in range(5)]
    assert [round(f.latitude, 2) for f in got] == [48.12, 40.9, 48.12, 40.9, 48.12]
    looped.close()


async def test_file_replay_without_fixes_and_missing_file(tmp_path) -> None:
    empty = tmp_path / "empty.nmea"
    empty.write_bytes(b"no nmea here\n")
    gnss = NmeaFileGnss(empty, loop=True)
    assert await gnss.read() is None
    gnss.close()
    with pytest.raises(GnssPortError):
        NmeaFileGnss(tmp_path / "missing.nmea")
