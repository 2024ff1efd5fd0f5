"""One short human line per message, for logs and the demo's transcript."""
from __future__ import annotations

import datetime as _dt

import attrs

from ..frame import Header

__all__ = ["describe", "describe_value"]

MAX_LINE = 200


def describe_value(value: object) -> str:
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>" if len(value) > 8 else bytes(value).hex()
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, _dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (tuple, list)) and len(value) > 6:
        return f"[{len(value)} items]"
    if attrs.has(type(value)):
        return describe(value)
    return repr(value)


def describe(message: object, header: Header | None = None) -> str:
    """``0x0200 LocationReport serial=3 latitude=39.9 …`` (cut to ``MAX_LINE``)."""
    name = type(message).__name__
    msg_id = getattr(message, "msg_id", None)
    parts = [f"0x{msg_id:04X} {name}" if isinstance(msg_id, int) and msg_id >= 0 else name]
    if header is not None:
        parts.append(f"serial={header.serial}")
    cls = type(message)
    if attrs.has(cls):
        for field in attrs.fields(cls):
            if field.name == "msg_id":
                continue
            parts.append(f"{field.name}={describe_value(getattr(message, field.name))}")
    line = " ".join(parts)
    return line if len(line) <= MAX_LINE else line[:MAX_LINE - 1] + "…"
