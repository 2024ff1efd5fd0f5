"""GNSS errors, under the ``hal`` error tree (``hal.errors.HalError``).

::

    HalError
    └── GnssError
        ├── NmeaError              one NMEA sentence is unusable (it is skipped)
        │   ├── NmeaChecksumError  the ``*hh`` checksum does not match
        │   ├── NmeaFormatError    a field is missing or malformed
        │   └── NmeaLineTooLong    a line exceeds the parser's bound
        ├── QgpslocError           a ``+QGPSLOC`` reply is malformed
        └── GnssPortError          the serial port / log file cannot be used
"""
from __future__ import annotations

from hal.errors import HalError

__all__ = [
    "GnssError", "NmeaError", "NmeaChecksumError", "NmeaFormatError",
    "NmeaLineTooLong", "QgpslocError", "GnssPortError",
]


class GnssError(HalError):
    """Base of the GNSS errors."""


class NmeaError(GnssError):
    """An NMEA sentence is unusable; ``sentence`` keeps (a prefix of) it."""

    def __init__(self, message: str, *, sentence: bytes = b"", field: str | None = None) -> None:
        self.sentence = sentence[:100]
        self.field = field
        where = f" in field {field!r}" if field else ""
        super().__init__(f"{message}{where}: {self.sentence!r}")


class NmeaChecksumError(NmeaError):
    """The XOR checksum after ``*`` does not match the sentence."""


class NmeaFormatError(NmeaError):
    """A field is missing or cannot be parsed."""


class NmeaLineTooLong(NmeaError):
    """A line is longer than the parser allows (NMEA 0183 says 82 characters)."""


class QgpslocError(GnssError):
    """A ``+QGPSLOC`` reply does not have the documented 11 fields."""


class GnssPortError(GnssError):
    """The GNSS serial port or log file cannot be opened or read."""
