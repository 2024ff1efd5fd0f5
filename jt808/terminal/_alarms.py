"""Alarm bits of the terminal's reports (0x0200 ``alarm_flag``) and the standard's rules.

JT/T 808-2013/2019 table 25 (the seed's §2.3 table) says per bit how it ends: most
"hold while the condition holds" (the application clears them); a few are "cleared
after receiving the response" — the platform's 0x8001 to a report carrying the bit, or
its 0x8203 manual confirmation. Those are the critical ones: a report that raises one is
kept in the blind-area store until the platform confirms it.

Clear-on-reply bits: 0 emergency, 20 in/out area, 21 in/out route, 22 road section
driving time, 27 illegal ignition, 28 illegal displacement, 31 illegal door opening
(seed table, "reset after receiving a response"); 2011/2013 also bit 3 (hazard warning,
"cleared after response"; in 2019 bit 3 is dangerous driving behaviour, which holds).
"""
from __future__ import annotations

from typing import Iterable

from ..codec import ALARM_BITS, CONFIRMABLE_ALARM_BITS
from ..errors import LocalProtocolError
from ..frame import Version

__all__ = ["alarm_mask", "clear_on_reply_mask", "CONFIRMABLE_MASK", "CONFIRMED_RESULTS"]

_CLEAR_ON_REPLY_2019 = (1 << 0 | 1 << 20 | 1 << 21 | 1 << 22 | 1 << 27 | 1 << 28 | 1 << 31)
_CLEAR_ON_REPLY = {Version.V2011: _CLEAR_ON_REPLY_2019 | 1 << 3,
                   Version.V2013: _CLEAR_ON_REPLY_2019 | 1 << 3,
                   Version.V2019: _CLEAR_ON_REPLY_2019}

#: 0x8203 alarm_type bits (2013 table 39).
CONFIRMABLE_MASK = sum(1 << bit for bit in set(CONFIRMABLE_ALARM_BITS.values()))

#: 0x8001 results that confirm a report: 0 success, 4 alarm processing confirmation.
CONFIRMED_RESULTS = frozenset({0, 4})

_NAMES = {**ALARM_BITS, **CONFIRMABLE_ALARM_BITS}


def clear_on_reply_mask(version: Version) -> int:
    return _CLEAR_ON_REPLY[Version(version)]


def alarm_mask(bits: int | str | Iterable[str | int]) -> int:
    """A DWORD mask from an int mask, an ``ALARM_BITS`` name, or several names/bit numbers."""
    if isinstance(bits, bool):
        raise LocalProtocolError(f"alarm bits {bits!r} are not a mask", field="alarm_flag")
    if isinstance(bits, int):
        if not 0 <= bits <= 0xFFFFFFFF:
            raise LocalProtocolError(f"alarm mask {bits} does not fit a DWORD",
                                     field="alarm_flag")
        return bits
    if isinstance(bits, str):
        bits = (bits,)
    mask = 0
    for item in bits:
        if isinstance(item, str):
            if item not in _NAMES:
                raise LocalProtocolError(f"unknown alarm name {item!r}", field="alarm_flag")
            mask |= 1 << _NAMES[item]
        elif isinstance(item, int) and not isinstance(item, bool) and 0 <= item < 32:
            mask |= 1 << item
        else:
            raise LocalProtocolError(f"alarm bit {item!r} is not 0..31 or a name",
                                     field="alarm_flag")
    return mask
