"""GNSS engine: ``AT+QGPS`` session state, ``+QGPSLOC`` text and NMEA sentences."""
from __future__ import annotations

import datetime as dt
import functools
from typing import Callable, Union

import attrs

__all__ = ["Position", "Gnss", "PositionSource", "nmea_checksum", "nmea_sentence",
           "rmc", "gga", "qgpsloc"]

KNOTS_PER_KMH = 1 / 1.852


@attrs.frozen
class Position:
    """Where the simulated receiver is; angles in degrees, speed in km/h."""

    latitude: float
    longitude: float
    altitude: float = 0.0
    speed_kmh: float = 0.0
    course: float = 0.0
    hdop: float = 1.0
    satellites: int = 8
    fix: int = 3            # 2 = 2D, 3 = 3D


#: A fixed position, or a route: seconds since the simulator started -> position.
PositionSource = Union[Position, Callable[[float], Position]]

CME_NOT_ACTIVE = 505
CME_ONGOING = 504
CME_NOT_FIXED = 516


class Gnss:
    """The receiver: on/off, time to first fix, the current position."""

    def __init__(self, source: PositionSource, *, time_to_fix: float = 1.0) -> None:
        self.source = source
        self.time_to_fix = time_to_fix
        self.started_at: float | None = None
        self.outport = "usbnmea"

    @property
    def active(self) -> bool:
        return self.started_at is not None

    def start(self, now: float) -> None:
        self.started_at = now

    def stop(self) -> None:
        self.started_at = None

    def fixed(self, now: float) -> bool:
        return self.started_at is not None and now - self.started_at >= self.time_to_fix

    def position(self, elapsed: float) -> Position:
        if isinstance(self.source, Position):
            return self.source
        return self.source(elapsed)


# -- text formats -----------------------------------------------------------

def nmea_checksum(body: str) -> str:
    """XOR of every character between ``$`` and ``*``, two uppercase hex digits."""
    return f"{functools.reduce(lambda a, c: a ^ ord(c), body, 0):02X}"


def nmea_sentence(body: str) -> str:
    return f"${body}*{nmea_checksum(body)}\r\n"


def _ddmm(value: float, degree_digits: int, decimals: int) -> str:
    value = abs(value)
    degrees = int(value)
    minutes = round((value - degrees) * 60, decimals)
    if minutes >= 60:
        degrees, minutes = degrees + 1, 0.0
    return f"{degrees:0{degree_digits}d}{minutes:0{decimals + 3}.{decimals}f}"


def _hemispheres(pos: Position) -> tuple[str, str]:
    return ("N" if pos.latitude >= 0 else "S"), ("E" if pos.longitude >= 0 else "W")


def rmc(pos: Position | None, when: dt.datetime, talker: str = "GP") -> str:
    if pos is None:
        return nmea_sentence(f"{talker}RMC,,V,,,,,,,,,,N")
    ns, ew = _hemispheres(pos)
    body = (f"{talker}RMC,{when:%H%M%S}.{when.microsecond // 10000:02d},A,"
            f"{_ddmm(pos.latitude, 2, 6)},{ns},{_ddmm(pos.longitude, 3, 6)},{ew},"
            f"{pos.speed_kmh * KNOTS_PER_KMH:.1f},{pos.course:.1f},{when:%d%m%y},,,A")
    return nmea_sentence(body)


def gga(pos: Position | None, when: dt.datetime, talker: str = "GP") -> str:
    if pos is None:
        return nmea_sentence(f"{talker}GGA,,,,,,0,,,,,,,,")
    ns, ew = _hemispheres(pos)
    body = (f"{talker}GGA,{when:%H%M%S}.{when.microsecond // 10000:02d},"
            f"{_ddmm(pos.latitude, 2, 6)},{ns},{_ddmm(pos.longitude, 3, 6)},{ew},1,"
            f"{pos.satellites:02d},{pos.hdop:.1f},{pos.altitude:.1f},M,0.0,M,,")
    return nmea_sentence(body)


def _latlon_mode0(pos: Position) -> str:
    ns, ew = _hemispheres(pos)
    return f"{_ddmm(pos.latitude, 2, 4)}{ns},{_ddmm(pos.longitude, 3, 4)}{ew}"


def _latlon_mode1(pos: Position) -> str:
    ns, ew = _hemispheres(pos)
    return f"{_ddmm(pos.latitude, 2, 6)},{ns},{_ddmm(pos.longitude, 3, 6)},{ew}"


def _latlon_mode2(pos: Position) -> str:
    return f"{pos.latitude:.5f},{pos.longitude:.5f}"


_LATLON = {0: _latlon_mode0, 1: _latlon_mode1, 2: _latlon_mode2}


def qgpsloc(pos: Position, when: dt.datetime, mode: int) -> str:
    """The ``+QGPSLOC:`` line for ``AT+QGPSLOC=<mode>`` (reference §8)."""
    return (f"+QGPSLOC: {when:%H%M%S}.{when.microsecond // 100000},{_LATLON[mode](pos)},"
            f"{pos.hdop:.1f},{pos.altitude:.1f},{pos.fix},{pos.course:.2f},"
            f"{pos.speed_kmh:.1f},{pos.speed_kmh * KNOTS_PER_KMH:.1f},{when:%d%m%y},"
            f"{pos.satellites:02d}")
