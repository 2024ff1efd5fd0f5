"""Sans-IO NMEA 0183 parser: bytes in, ``Fix`` values out (RMC + GGA).

Each ``$GxRMC`` produces one ``Fix``; altitude, satellites and HDOP come from the
latest ``$GxGGA``. Lines with a bad checksum, junk, or over the length bound are
counted and skipped; memory stays bounded whatever the peer sends.
"""
from __future__ import annotations

from datetime import datetime, timezone

from hal.gnss._errors import NmeaChecksumError, NmeaError, NmeaFormatError, NmeaLineTooLong
from hal.gnss._fix import Fix

__all__ = ["NmeaParser", "nmea_checksum", "parse_sentence"]

KNOT_KMH = 1.852
#: NMEA 0183 limits a sentence to 82 characters; receivers printing extra digits
#: (Quectel's 6-decimal minutes) stay well under this bound.
DEFAULT_MAX_LINE = 128


def nmea_checksum(body: bytes) -> int:
    """XOR of the bytes between ``$`` and ``*``."""
    value = 0
    for byte in body:
        value ^= byte
    return value


def parse_sentence(line: bytes) -> tuple[str, list[str]]:
    """Check ``$<addr>,<fields>*hh`` and return (sentence type, fields after the address)."""
    if not line.startswith(b"$"):
        raise NmeaFormatError("no '$' start", sentence=line)
    star = line.rfind(b"*")
    if star < 0 or len(line) - star != 3:
        raise NmeaFormatError("no '*hh' checksum", sentence=line)
    body = line[1:star]
    try:
        expected = int(line[star + 1:], 16)
        text = body.decode("ascii")
    except (ValueError, UnicodeDecodeError):
        raise NmeaFormatError("checksum or body not ASCII hex/text", sentence=line) from None
    if nmea_checksum(body) != expected:
        raise NmeaChecksumError(
            f"checksum {expected:02X} != computed {nmea_checksum(body):02X}", sentence=line)
    address, *fields = (field.strip() for field in text.split(","))
    if len(address) != 5 or not address.isalnum():
        raise NmeaFormatError("bad address field", sentence=line, field="address")
    return address[2:], fields


def _number(text: str, name: str, line: bytes, default: float | None = None) -> float:
    if text == "" and default is not None:
        return default
    try:
        return float(text)
    except ValueError:
        raise NmeaFormatError("not a number", sentence=line, field=name) from None


def _coordinate(value: str, hemi: str, degree_digits: int, name: str, line: bytes) -> float:
    """``ddmm.mmmm`` + ``N``/``S`` (or ``dddmm.mmmm`` + ``E``/``W``) to signed degrees."""
    if value == "" and hemi == "":
        return 0.0
    sign = {"N": 1, "E": 1, "S": -1, "W": -1}.get(hemi)
    if sign is None or len(value) < degree_digits + 2 or not value[:degree_digits].isdigit():
        raise NmeaFormatError("bad coordinate", sentence=line, field=name)
    minutes = _number(value[degree_digits:], name, line)
    if not 0 <= minutes < 60:
        raise NmeaFormatError("minutes out of range", sentence=line, field=name)
    return sign * (int(value[:degree_digits]) + minutes / 60)


def _utc(date: str, clock: str, line: bytes) -> datetime | None:
    """``ddmmyy`` + ``hhmmss.ss`` to an aware UTC datetime (years 1980-2079)."""
    if date == "" or clock == "":
        return None
    try:
        seconds = float(clock[4:])
        day, month, year = int(date[0:2]), int(date[2:4]), int(date[4:6])
        return datetime(year + (1900 if year >= 80 else 2000), month, day,
                        int(clock[0:2]), int(clock[2:4]), int(seconds),
                        round((seconds % 1) * 1e6) % 1_000_000, tzinfo=timezone.utc)
    except (ValueError, IndexError):
        raise NmeaFormatError("bad date/time", sentence=line, field="utc") from None


class NmeaParser:
    """Feed bytes in any split; get ``Fix`` values.

    Counters: ``sentences`` (used), ``ignored`` (valid but not RMC/GGA),
    ``bad_checksum``, ``bad_format`` (junk or malformed), ``too_long``.
    ``last_error`` keeps the latest skipped-line error for diagnostics.
    """

    def __init__(self, *, max_line: int = DEFAULT_MAX_LINE) -> None:
        self.max_line = max_line
        self._buffer = bytearray()
        self._skipping = False
        self._gga: tuple[float, int, float | None] = (0.0, 0, None)
        self.sentences = self.ignored = self.bad_checksum = self.bad_format = self.too_long = 0
        self.last_error: NmeaError | None = None

    def feed(self, data: bytes) -> list[Fix]:
        fixes: list[Fix] = []
        self._buffer += data
        while (end := self._buffer.find(b"\n")) >= 0:
            line = bytes(self._buffer[:end]).rstrip(b"\r")
            del self._buffer[:end + 1]
            if self._skipping:
                self._skipping = False
                continue
            fix = self._line(line)
            if fix is not None:
                fixes.append(fix)
        if len(self._buffer) > self.max_line:
            self._count(NmeaLineTooLong(f"line over {self.max_line} bytes",
                                        sentence=bytes(self._buffer)))
            self._buffer.clear()
            self._skipping = True
        return fixes

    def _line(self, line: bytes) -> Fix | None:
        if len(line) > self.max_line:
            self._count(NmeaLineTooLong(f"line over {self.max_line} bytes", sentence=line))
            return None
        start = line.rfind(b"$")
        if start < 0:
            if line.strip():
                self._count(NmeaFormatError("no '$' start", sentence=line))
            return None
        try:
            kind, fields = parse_sentence(line[start:])
            handler = _HANDLERS.get(kind)
            if handler is None:
                self.ignored += 1
                return None
            fix = handler(self, fields, line[start:])
        except NmeaError as exc:
            self._count(exc)
            return None
        self.sentences += 1
        return fix

    def _count(self, error: NmeaError) -> None:
        self.last_error = error
        if isinstance(error, NmeaChecksumError):
            self.bad_checksum += 1
        elif isinstance(error, NmeaLineTooLong):
            self.too_long += 1
        else:
            self.bad_format += 1

    def _rmc(self, f: list[str], line: bytes) -> Fix:
        if len(f) < 9:
            raise NmeaFormatError(f"RMC has {len(f)} fields, needs 9+", sentence=line)
        mode = f[11] if len(f) > 11 else ""
        altitude, satellites, hdop = self._gga
        return Fix(
            latitude=_coordinate(f[2], f[3], 2, "latitude", line),
            longitude=_coordinate(f[4], f[5], 3, "longitude", line),
            altitude=altitude, satellites=satellites, hdop=hdop,
            speed=_number(f[6], "speed", line, 0.0) * KNOT_KMH,
            direction=_number(f[7], "course", line, 0.0) % 360,
            utc=_utc(f[8], f[0], line),
            valid=f[1] == "A" and mode != "N",
        )

    def _gga_sentence(self, f: list[str], line: bytes) -> None:
        if len(f) < 9:
            raise NmeaFormatError(f"GGA has {len(f)} fields, needs 9+", sentence=line)
        satellites = int(_number(f[6], "satellites", line, 0.0))
        hdop = _number(f[7], "hdop", line) if f[7] else None
        self._gga = (_number(f[8], "altitude", line, 0.0), satellites, hdop)
        return None


_HANDLERS = {"RMC": NmeaParser._rmc, "GGA": NmeaParser._gga_sentence}
