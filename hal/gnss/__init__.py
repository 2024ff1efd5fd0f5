"""GNSS: the ``GnssSource`` interface, the ``Fix`` value, and backends.

- ``NmeaSerialGnss(port)``: an NMEA 0183 receiver on a serial port (RMC + GGA).
- ``NmeaFileGnss(path)``: replay of an NMEA log file.
- ``QuectelGnss(modem)``: ``AT+QGPSLOC=2`` through the Quectel driver.
- ``RouteGnss(waypoints)``: a simulated vehicle on a route (``DEFAULT_ROUTE``).
- ``NmeaParser``: the sans-IO parser behind the NMEA backends.
- ``WatchedGnss(source)``: any source, remembering whether it has a fix and since when.
- ``quectel_gnss_on(at_port)``: ``AT+QGPS=1`` on a Quectel modem's AT port.
"""
from __future__ import annotations

from hal.gnss._errors import (
    GnssError, GnssPortError, NmeaChecksumError, NmeaError, NmeaFormatError,
    NmeaLineTooLong, QgpslocError,
)
from hal.gnss._fix import Fix, GnssSource
from hal.gnss._nmea import NmeaParser, nmea_checksum, parse_sentence
from hal.gnss._quectel import QuectelGnss, parse_qgpsloc, quectel_gnss_on
from hal.gnss._route import DEFAULT_ROUTE, RouteGnss, Waypoint
from hal.gnss._serial import NmeaFileGnss, NmeaSerialGnss
from hal.gnss._watch import WatchedGnss

__all__ = [
    "Fix", "GnssSource", "NmeaParser", "nmea_checksum", "parse_sentence",
    "NmeaSerialGnss", "NmeaFileGnss", "QuectelGnss", "parse_qgpsloc", "quectel_gnss_on",
    "WatchedGnss",
    "RouteGnss", "Waypoint", "DEFAULT_ROUTE",
    "GnssError", "NmeaError", "NmeaChecksumError", "NmeaFormatError", "NmeaLineTooLong",
    "QgpslocError", "GnssPortError",
]
