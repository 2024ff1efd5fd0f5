"""The seed API's enumeration classes (API reference §1.1-1.2).

Plain classes of ``int`` constants, as in the seed: ``LicensePlateColor.blue`` is the
int ``1`` (its repr prints ``1``), usable wherever the codec takes an int.
"""
from __future__ import annotations

__all__ = ["LicensePlateColor", "ResultCode"]


class LicensePlateColor:
    """Plate colour codes of JT/T 697.7-2014, for registration (0x0100) and param 0x0084."""

    blue = 1
    yellow = 2
    black = 3
    white = 4
    green = 5
    other = 9


class ResultCode:
    """Result codes of the general responses 0x0001/0x8001 (``alarm_ack`` only in 0x8001)."""

    success = 0
    failure = 1
    message_error = 2
    not_support = 3
    alarm_ack = 4
