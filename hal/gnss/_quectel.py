"""GNSS from a Quectel modem's ``AT+QGPSLOC=2`` (quectel-at.md §8)."""
from __future__ import annotations

import inspect
from datetime import datetime, timezone
from typing import Any

from hal.errors import ModemError
from hal.gnss._errors import QgpslocError
from hal.gnss._fix import Fix

__all__ = ["QuectelGnss", "parse_qgpsloc"]

#: CME codes (quectel-at.md §8): 516 not fixed yet, 505 not active, 504 already on.
CME_NOT_FIXED = 516
CME_NOT_ACTIVE = 505
CME_SESSION_ONGOING = 504
_PREFIX = "+QGPSLOC:"


def parse_qgpsloc(reply: str | bytes) -> Fix:
    """Parse a mode-2 ``+QGPSLOC:`` line (prefix optional) into a valid ``Fix``.

    Fields: ``<utc hhmmss.s>,<lat>,<lon>,<hdop>,<alt m>,<fix 2|3>,<cog>,<spkm km/h>,
    <spkn knots>,<date ddmmyy>,<nsat>``; latitude/longitude are signed degrees.
    """
    text = reply.decode("ascii", "replace") if isinstance(reply, bytes) else reply
    text = text.strip()
    if text.startswith(_PREFIX):
        text = text[len(_PREFIX):].strip()
    fields = text.split(",")
    if len(fields) != 11:
        raise QgpslocError(f"+QGPSLOC has {len(fields)} fields, expected 11: {text[:120]!r}")
    clock, lat, lon, hdop, alt, _mode, cog, spkm, _spkn, date, nsat = fields
    try:
        seconds = float(clock[4:])
        utc = datetime(2000 + int(date[4:6]), int(date[2:4]), int(date[0:2]),
                       int(clock[0:2]), int(clock[2:4]), int(seconds),
                       round((seconds % 1) * 1e6) % 1_000_000, tzinfo=timezone.utc)
        latitude, longitude = float(lat), float(lon)
        fix = Fix(latitude=latitude, longitude=longitude, hdop=float(hdop),
                  altitude=float(alt), direction=_course(cog) % 360, speed=float(spkm),
                  utc=utc, satellites=int(nsat), valid=True)
    except (ValueError, IndexError, OverflowError):   # OverflowError: "inf" seconds
        raise QgpslocError(f"malformed +QGPSLOC field in {text[:120]!r}") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise QgpslocError(f"+QGPSLOC position out of range: {text[:120]!r}")
    return fix


def _course(cog: str) -> float:
    """``ddd.mm`` course (the manual's notation) read as decimal degrees."""
    return float(cog) if cog else 0.0


def from_qgpsloc(loc: Any) -> Fix:
    """A parsed ``hal.quectel.QGpsLoc`` (fields named as in §8) to a ``Fix``."""
    return Fix(latitude=loc.latitude, longitude=loc.longitude, altitude=loc.altitude,
               speed=loc.spkm, direction=loc.cog % 360, utc=loc.timestamp,
               satellites=loc.nsat, valid=True, hdop=loc.hdop)


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class QuectelGnss:
    """``GnssSource`` over a Quectel modem driver (``hal.quectel.QuectelModem``).

    The first ``read()`` turns the GNSS engine on (``modem.gnss_on()``).
    ``modem.gnss_location()`` may return a ``hal.quectel.QGpsLoc``, the reply line
    (str/bytes), a ``Fix``, or ``None``; CME 516 (not fixed) gives ``None``, CME 505 (not
    active) turns the engine on again and gives ``None``.
    """

    def __init__(self, modem: Any) -> None:
        self.modem = modem
        self._started = False

    async def read(self) -> Fix | None:
        if not self._started:
            await self._start()
        try:
            reply = await _maybe_await(self.modem.gnss_location())
        except ModemError as exc:
            if exc.code == CME_NOT_ACTIVE:
                self._started = False
                return None
            if exc.code == CME_NOT_FIXED:
                return None
            raise
        if reply is None or isinstance(reply, Fix):
            return reply
        if isinstance(reply, (str, bytes)):
            return parse_qgpsloc(reply)
        return from_qgpsloc(reply)

    async def _start(self) -> None:
        try:
            await _maybe_await(self.modem.gnss_on())
        except ModemError as exc:
            if exc.code != CME_SESSION_ONGOING:
                raise
        self._started = True


async def quectel_gnss_on(at_port: str, baudrate: int = 115200) -> None:
    """Open the modem's AT port, send ``AT+QGPS=1`` (quectel-at.md §8; CME 504 "session
    is ongoing" counts as on) and close the port: for a receiver whose NMEA is read
    from the modem's NMEA port by something else."""
    import hal.quectel as quectel
    async with quectel.open_channel(at_port, baudrate) as channel:
        await quectel.QuectelModem(channel).gnss_on()
