"""Which 0x8103 parameter values the terminal accepts (issue 18: no lockout, no growth).

A 0x8103 is checked as a whole before anything is stored: if one value the terminal acts
on is outside its range, or the command would make the terminal hold more unknown ids
than :data:`MAX_UNKNOWN_IDS`, the terminal answers 0x0001 result 1 (failed) and keeps
(and persists) nothing of it. No value is clamped: a platform that gets result 1 knows
its value was not taken; a clamped value would be acknowledged but differ.

=========================  ===========================  =================================
id                         accepted                     why
=========================  ===========================  =================================
0x0001 heartbeat (s)       1 .. 86400 (0: off, in the   0 never beats; > 1 day is a typo
                           own configuration only)
0x0002/4/6 reply timeout   1 .. 600 s                   0 re-sends at once and gives up
                                                        before any reply (lockout)
0x0003/5/7 retransmits     0 .. 10                      0xFFFFFFFF with 0 s spins
0x0013/0x0017 server addr  1 .. 255 chars, no spaces,   an empty or garbled host cannot
                           no ';' ',' '/' '?' '#'       be dialled (the next reconnect)
0x0018 server TCP port     1 .. 65535                   0 cannot be connected to
0x0019 server UDP port     0 .. 65535                   0: no UDP server
0x0020 report strategy     0 timed, 1 distance, 2 both
0x0021 report scheme       0 ACC, 1 login + ACC
0x0022/27/28/29 intervals  1 .. 86400 s                 0 would report in a loop
0x002C-0x002F distances    1 .. 1,000,000 m
0x0030 corner angle        0 .. 179 degrees             the standard: "< 180"
unknown (vendor) ids       at most 64 held, 255 bytes   issue 18: 100 commands held
                           each (the codec's limit)     23,209 ids and 41 MiB
=========================  ===========================  =================================

Ids not listed are stored as sent (the codec already checks their width).
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterable

from ..codec import PARAM_TYPES, TerminalParam

__all__ = ["MAX_UNKNOWN_IDS", "MAX_ANSWER_PARAMS", "MAX_ANSWER_BYTES", "refusal",
           "value_refusal", "params_that_fit"]

MAX_UNKNOWN_IDS = 64
MAX_ANSWER_PARAMS = 255              # 0x0104 count is a BYTE
MAX_ANSWER_BYTES = 60_000            # body budget of one 0x0104 (the session splits it)
_DAY = 86_400
_HOST = re.compile(r"[^\s;,/?#]{1,255}")


def _int_range(low: int, high: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"is not an integer ({type(value).__name__})"
        if not low <= value <= high:
            return f"{value} is outside {low}..{high}"
        return None
    return check


def _host(value: Any) -> str | None:
    if not isinstance(value, str) or not _HOST.fullmatch(value):
        return f"{value!r} is not a host name or address"
    return None


RULES: dict[int, Callable[[Any], str | None]] = {
    0x0001: _int_range(1, _DAY),
    **{i: _int_range(1, 600) for i in (0x0002, 0x0004, 0x0006)},
    **{i: _int_range(0, 10) for i in (0x0003, 0x0005, 0x0007)},
    0x0013: _host, 0x0017: _host,
    0x0018: _int_range(1, 0xFFFF), 0x0019: _int_range(0, 0xFFFF),
    0x0020: _int_range(0, 2), 0x0021: _int_range(0, 1),
    **{i: _int_range(1, _DAY) for i in (0x0022, 0x0027, 0x0028, 0x0029)},
    **{i: _int_range(1, 1_000_000) for i in range(0x002C, 0x0030)},
    0x0030: _int_range(0, 179),
}


#: what the terminal's own configuration may set and a platform may not: heartbeat 0 turns
#: the heartbeat off (a local choice, e.g. on SMS); from a 0x8103 it is refused
LOCAL_ONLY = {(0x0001, 0)}


def value_refusal(param_id: int, value: Any, *, local: bool = False) -> str | None:
    """Why the terminal must not act on ``value`` for ``param_id``, or ``None``. Also
    applied (``local=True``) to the values given to the constructor and to a saved
    parameter file (one written before these rules, or by hand, must not lock the
    terminal out)."""
    if local and (param_id, value) in LOCAL_ONLY:
        return None
    check = RULES.get(param_id)
    reason = check(value) if check is not None else None
    return None if reason is None else f"parameter 0x{param_id:04X}: {reason}"


def refusal(params: Iterable[TerminalParam], held: Iterable[int]) -> str | None:
    """Why this 0x8103 list must be refused as a whole, or ``None`` to accept it.
    ``held``: the parameter ids the terminal holds now."""
    params = list(params)
    for param in params:
        reason = value_refusal(param.param_id, param.value)
        if reason is not None:
            return reason
    unknown = {i for i in held if i not in PARAM_TYPES}
    unknown.update(p.param_id for p in params if p.param_id not in PARAM_TYPES)
    if len(unknown) > MAX_UNKNOWN_IDS:
        return (f"{len(unknown)} unknown parameter ids would be held "
                f"(at most {MAX_UNKNOWN_IDS})")
    return None


def _wire_size(param: TerminalParam) -> int:
    from ..codec import encode_param_value
    return 5 + len(encode_param_value(param.param_id, param.value))


def params_that_fit(params: Iterable[TerminalParam]) -> tuple[TerminalParam, ...]:
    """The parameters one 0x0104 can carry: at most 255 (its count is a BYTE) and
    :data:`MAX_ANSWER_BYTES` of items, in the order given (known ids should come first)."""
    kept: list[TerminalParam] = []
    size = 0
    for param in params:
        item = _wire_size(param)
        if len(kept) == MAX_ANSWER_PARAMS or size + item > MAX_ANSWER_BYTES:
            break
        kept.append(param)
        size += item
    return tuple(kept)
