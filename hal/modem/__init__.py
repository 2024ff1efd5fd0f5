"""Modem information: the ``ModemInfo`` interface (imei, iccid, imsi, signal,
registration, firmware) with ``QuectelModemInfo(modem)`` and ``StaticModemInfo``; voice
calls (``VoiceCalls``: ``ATD``/``ATH``/``AT+CLCC``) with ``AtVoiceCalls(channel)``."""
from __future__ import annotations

from hal.modem._info import (
    ModemInfo, ModemInfoError, QuectelModemInfo, Registration, Signal, StaticModemInfo,
)
from hal.modem._voice import AtVoiceCalls, Call, VoiceCallError, VoiceCalls

__all__ = ["ModemInfo", "QuectelModemInfo", "StaticModemInfo", "Signal", "Registration",
           "ModemInfoError", "VoiceCalls", "AtVoiceCalls", "Call", "VoiceCallError"]
