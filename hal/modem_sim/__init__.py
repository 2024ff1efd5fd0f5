"""Quectel EC25 modem simulator: AT commands on a pty, NMEA on a second pty.

Sockets opened with ``AT+QIOPEN`` are real sockets, so a real server can sit
behind the simulated modem; SMS go through a pluggable :class:`SmsCentre`.
Formats follow ``quectel-at.md`` (the project's AT reference).
"""
from __future__ import annotations

from ._cli import main
from ._gnss import Position, nmea_checksum
from ._simulator import ModemSimulator
from ._state import ModemConfig
from ._sms import InProcessSmsCentre, SmsCentre, SubmittedSms

__all__ = ["ModemSimulator", "ModemConfig", "Position", "SmsCentre", "InProcessSmsCentre",
           "SubmittedSms", "nmea_checksum", "main"]
