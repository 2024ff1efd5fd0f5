"""Escaping (JT/T 808 §4.4.1) and the XOR check code (§4.4.3).

Escape after the check code is computed, over header + body + check code::

    0x7e -> 0x7d 0x02        0x7d -> 0x7d 0x01
"""
from __future__ import annotations

from ..errors import EscapeError

__all__ = ["escape", "unescape", "xor_check"]

# For each data length, the (shift, mask) steps that fold it in halves down to 8 bytes.
_FOLD_PLANS: dict[int, tuple[tuple[int, int], ...]] = {}
_MAX_CACHED_PLAN = 4096


def _fold_plan(size: int) -> tuple[tuple[int, int], ...]:
    steps = []
    while size > 8:
        half = (size + 1) >> 1
        steps.append((half << 3, (1 << (half << 3)) - 1))
        size = half
    return tuple(steps)


def xor_check(data: bytes) -> int:
    """XOR of every byte of ``data`` (0 for empty data).

    The bytes are read as one integer and folded in halves, so the work is done by
    C big-integer code (about 2 µs for 1000 bytes where a Python loop needs 12 µs).
    The last 8 bytes fold without masks: only the low byte is kept at the end.
    """
    value = int.from_bytes(data, "little")
    size = len(data)
    plan = _FOLD_PLANS.get(size)
    if plan is None:
        plan = _fold_plan(size)
        if size <= _MAX_CACHED_PLAN:
            _FOLD_PLANS[size] = plan
    for shift, mask in plan:
        value = (value >> shift) ^ (value & mask)
    value ^= value >> 32
    value ^= value >> 16
    value ^= value >> 8
    return value & 0xFF


def escape(data: bytes) -> bytes:
    """Escape 0x7d and 0x7e in ``data``."""
    if b"\x7d" in data:
        data = data.replace(b"\x7d", b"\x7d\x01")
    if b"\x7e" in data:
        data = data.replace(b"\x7e", b"\x7d\x02")
    return data


def unescape(data: bytes) -> bytes:
    """Undo :func:`escape`; a 0x7d not followed by 0x01 or 0x02 is an ``EscapeError``."""
    if b"\x7d" not in data:
        return data
    # 7d 02 first: the pattern cannot start inside a 7d 01 pair, and the 7e it makes
    # cannot form a new 7d 01. Each replacement consumes one 0x7d and drops one byte, so
    # the data was well escaped exactly when it shrank by its number of 0x7d bytes.
    out = data.replace(b"\x7d\x02", b"\x7e").replace(b"\x7d\x01", b"\x7d")
    if len(data) - len(out) != data.count(b"\x7d"):
        raise EscapeError(f"bad escape sequence 7d {_after_bad_escape(data)}",
                          offset=_bad_escape_offset(data))
    return out


def _bad_escape_offset(data: bytes) -> int:
    pos = data.find(b"\x7d")
    while pos != -1:
        if data[pos + 1:pos + 2] not in (b"\x01", b"\x02"):
            return pos
        pos = data.find(b"\x7d", pos + 2)
    return len(data)  # unreachable for data that failed the count check


def _after_bad_escape(data: bytes) -> str:
    follower = data[_bad_escape_offset(data) + 1:][:1]
    return f"{follower[0]:02x}" if follower else "at end of frame"
