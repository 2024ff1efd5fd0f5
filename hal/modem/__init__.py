"""Modem information: the ``ModemInfo`` interface (imei, iccid, imsi, signal,
registration, firmware) with ``QuectelModemInfo(modem)`` and ``StaticModemInfo``."""
from __future__ import annotations

from hal.modem._info import (
    ModemInfo, ModemInfoError, QuectelModemInfo, Registration, Signal, StaticModemInfo,
)

__all__ = ["ModemInfo", "QuectelModemInfo", "StaticModemInfo", "Signal", "Registration",
           "ModemInfoError"]
