"""Field helpers shared by the 1078 bodies: BCD[6] times and the 64-bit alarm flags.

Times are GMT+8 ``YYMMDDhhmmss`` (JT/T 808 §4.4); six zero bytes mean "no time" and
decode to ``None``. The alarm flags of 0x9205/0x9206/0x1205 are one big-endian 64-bit
value (bits 0-31 the 808 alarm bits, 32-63 the video alarm bits).
"""
from __future__ import annotations

import datetime as dt

from ..errors import LocalProtocolError, RemoteProtocolError
from ..frame import Buffer

__all__ = ["push_time", "pull_time"]

_NO_TIME = "0" * 12


def push_time(buf: Buffer, value: dt.datetime | None, field: str) -> None:
    if value is None:
        buf.push_bcd(_NO_TIME, 6, field)
        return
    if not isinstance(value, dt.datetime) or not 2000 <= value.year <= 2099:
        raise LocalProtocolError(f"{value!r} is not a datetime in 2000-2099",
                                 msg_id=buf.msg_id, field=field)
    buf.push_bcd(value.strftime("%y%m%d%H%M%S"), 6, field)


def pull_time(buf: Buffer, field: str) -> dt.datetime | None:
    offset = buf.pos
    digits = buf.pull_bcd(6, field)
    if digits == _NO_TIME:
        return None
    try:
        return dt.datetime.strptime(digits, "%y%m%d%H%M%S")
    except ValueError:
        raise RemoteProtocolError(f"{digits} is not a YYMMDDhhmmss time", msg_id=buf.msg_id,
                                  field=field, offset=offset) from None
