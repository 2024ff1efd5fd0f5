"""``TerminalParams``: the seed API's terminal parameter store (API reference §2.1).

``set_params(param_id, *values)`` takes the values the seed's table lists for that id
(one value for most ids; 4 for 0x0032 and 0x0090, 2 for 0x005D, 12 for 0x0064/0x0065,
5 for 0x0110-0x01FF), checks them and returns ``True``, or returns ``False`` (and logs
why) for a value that the parameter cannot carry. ``get_params()`` returns
``{param_id: {"value": …, "hex": "…"}}`` in insertion order, ``hex`` being the value's
wire encoding (upper case). Widths come from :data:`jt808.codec.PARAM_TYPES`.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Iterable

import attrs

from ..codec import PARAM_TYPES, TerminalParam, decode_param_value, encode_param_value
from ..errors import LocalProtocolError

__all__ = ["TerminalParams"]

log = logging.getLogger(__name__)

_BAUD_CODES = {4800: 0, 9600: 1, 19200: 2, 38400: 3, 57600: 4, 115200: 5}
_OUTPUT_MS_CODES = {500: 0, 1000: 1, 2000: 2, 3000: 3, 4000: 4}
_PHOTO_NAMES = (
    *(f"camera_{n}_onoff" for n in range(1, 6)), *(f"camera_{n}_storage" for n in range(1, 6)),
    "unit", "interval",
)


class _BadValue(ValueError):
    """A value a parameter cannot carry (turned into ``False`` by ``set_params``)."""


def _check(value: Any, low: int, high: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _BadValue(f"{name} must be int, not {type(value).__name__}")
    if not low <= value <= high:
        raise _BadValue(f"{name}={value} is outside {low}..{high}")
    return value


@attrs.frozen
class _Compound:
    """A parameter set from several values: their names, and the wire codec."""

    names: tuple[str, ...]
    encode: Callable[[tuple[int, ...]], bytes]
    decode: Callable[[bytes], tuple[int, ...]]
    size: int


_PERIOD_NAMES = ("start_hour", "start_minute", "end_hour", "end_minute")


def _period_encode(v: tuple[int, ...]) -> bytes:
    """0x0032 BYTE[4]: start hour, start minute, end hour, end minute."""
    limits = (23, 59, 23, 59)
    return bytes(_check(x, 0, hi, n) for x, hi, n in zip(v, limits, _PERIOD_NAMES))


def _collision_encode(v: tuple[int, ...]) -> bytes:
    # WORD: b15-b8 acceleration (0.1 g), b7-b0 collision time (ms, as the seed documents)
    return bytes((_check(v[1], 0, 255, "acceleration"), _check(v[0], 0, 255, "millisecond")))


def _gnss_encode(v: tuple[int, ...]) -> bytes:
    names = ("gps_onoff", "bds_onoff", "glonass_onoff", "galileo_onoff")
    return bytes((sum(_check(x, 0, 1, n) << i for i, (x, n) in enumerate(zip(v, names))),))


def _photo_encoder(min_interval: int) -> Callable[[tuple[int, ...]], bytes]:
    """0x0064/0x0065 DWORD: b0-4 channel switches, b8-12 storage flags (1 upload),
    b16 unit, b17-31 interval. Unit 0 intervals below ``min_interval`` are raised to it,
    as the seed does (the standard: the terminal treats them as that minimum)."""
    def encode(v: tuple[int, ...]) -> bytes:
        flags = [_check(x, 0, 1, n) for x, n in zip(v[:11], _PHOTO_NAMES)]
        interval = _check(v[11], 0, 0x7FFF, "interval")
        if flags[10] == 0 and interval < min_interval:
            interval = min_interval
        word = sum(f << i for i, f in enumerate(flags[:5]))
        word |= sum(f << (8 + i) for i, f in enumerate(flags[5:10]))
        return (word | flags[10] << 16 | interval << 17).to_bytes(4, "big")
    return encode


def _photo_decode(raw: bytes) -> tuple[int, ...]:
    word = int.from_bytes(raw, "big")
    return (*((word >> i) & 1 for i in range(5)), *((word >> (8 + i)) & 1 for i in range(5)),
            (word >> 16) & 1, word >> 17)


def _can_encode(v: tuple[int, ...]) -> bytes:
    """BYTE[8]: b63-32 collect interval (ms), b31 channel, b30 frame type, b29 method,
    b28-0 CAN bus id. Values in the seed's order: id, method, frame type, channel, interval."""
    can_id = _check(v[0], 0, (1 << 29) - 1, "can_bus_id")
    method = _check(v[1], 0, 1, "collection_method")
    frame = _check(v[2], 0, 1, "frame_type")
    channel = _check(v[3], 0, 1, "can_channel_no")
    interval = _check(v[4], 0, 0xFFFFFFFF, "collection_time_interval")
    word = interval << 32 | channel << 31 | frame << 30 | method << 29 | can_id
    return word.to_bytes(8, "big")


def _can_decode(raw: bytes) -> tuple[int, ...]:
    word = int.from_bytes(raw, "big")
    return (word & ((1 << 29) - 1), (word >> 29) & 1, (word >> 30) & 1, (word >> 31) & 1,
            word >> 32)


_CAN = _Compound(("can_bus_id", "collection_method", "frame_type", "can_channel_no",
                  "collection_time_interval"), _can_encode, _can_decode, 8)

#: ids set from several values (the seed's table), with their names and codecs
_COMPOUND: dict[int, _Compound] = {
    0x0032: _Compound(_PERIOD_NAMES, _period_encode, tuple, 4),
    0x005D: _Compound(("millisecond", "acceleration"), _collision_encode,
                      lambda raw: (raw[1], raw[0]), 2),
    0x0064: _Compound(_PHOTO_NAMES, _photo_encoder(5), _photo_decode, 4),
    0x0065: _Compound(_PHOTO_NAMES, _photo_encoder(100), _photo_decode, 4),
    0x0090: _Compound(("gps_onoff", "bds_onoff", "glonass_onoff", "galileo_onoff"),
                      _gnss_encode, lambda raw: tuple((raw[0] >> i) & 1 for i in range(4)), 1),
    **{param_id: _CAN for param_id in range(0x0110, 0x0200)},
}
#: ids whose one value is a user unit mapped to a wire code (codes are accepted too)
_CODED: dict[int, dict[int, int]] = {0x0091: _BAUD_CODES, 0x0092: _OUTPUT_MS_CODES}
# key order of parse() for 0x0110-0x01FF, as the seed returns it
_CAN_PARSE_ORDER = ("collection_time_interval", "can_channel_no", "frame_type",
                    "collection_method", "can_bus_id")


def _encode_single(param_id: int, value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    codes = _CODED.get(param_id)
    if codes is not None:
        if value in codes.values() and not isinstance(value, bool):
            return bytes((value,))
        if value not in codes or isinstance(value, bool):
            raise _BadValue(f"{value!r} is none of {sorted(codes)} (or a code 0..{len(codes) - 1})")
        return bytes((codes[value],))
    kind = PARAM_TYPES.get(param_id)
    if kind is None:
        return _encode_unknown(value)
    if kind.is_int:
        _check(value, 0, (1 << (8 * kind.size)) - 1, f"0x{param_id:04X}")  # type: ignore[operator]
    elif kind.kind == "STRING" and not isinstance(value, str):
        raise _BadValue(f"this value type is str, not {type(value).__name__}")
    elif kind.kind == "BYTES":
        raise _BadValue(f"this value type is bytes[{kind.size}], not {type(value).__name__}")
    try:
        return encode_param_value(param_id, value)
    except LocalProtocolError as exc:
        raise _BadValue(str(exc)) from None


def _encode_unknown(value: Any) -> bytes:
    """A vendor/unknown id: an int takes as few bytes as it needs, a str is GBK."""
    if isinstance(value, str):
        try:
            return value.encode("gbk")
        except UnicodeEncodeError:
            raise _BadValue(f"{value!r} cannot be encoded as GBK") from None
    _check(value, 0, (1 << 2040) - 1, "value")
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def _encode(param_id: int, values: tuple[Any, ...]) -> tuple[Any, bytes]:
    """``(stored value, wire bytes)`` for ``set_params(param_id, *values)``."""
    if len(values) == 1 and isinstance(values[0], (bytes, bytearray)):
        return bytes(values[0]), bytes(values[0])
    compound = _COMPOUND.get(param_id)
    if compound is not None:
        if len(values) != len(compound.names):
            raise _BadValue(f"0x{param_id:04X} takes {len(compound.names)} values "
                            f"{compound.names}, got {len(values)}")
        return tuple(values), compound.encode(tuple(values))
    if len(values) != 1:
        raise _BadValue(f"0x{param_id:04X} takes one value, got {len(values)}")
    raw = _encode_single(param_id, values[0])
    if len(raw) > 255:
        raise _BadValue(f"{len(raw)} bytes do not fit a parameter (255 at most)")
    return values[0], raw


def _compound_from_wire(compound: _Compound, raw: bytes) -> tuple[int, ...] | bytes:
    """The values of a several-value id, or the raw bytes when those values would not
    give the same bytes back (wrong length, reserved bits set, out-of-range fields)."""
    if len(raw) != compound.size:
        return raw
    values = compound.decode(raw)
    try:
        exact = compound.encode(values) == raw
    except _BadValue:
        exact = False
    return values if exact else raw


def _value_from_wire(param_id: int, raw: bytes) -> Any:
    """The ``set_params`` style value for wire bytes (tuple for several-value ids)."""
    compound = _COMPOUND.get(param_id)
    if compound is not None:
        return _compound_from_wire(compound, raw)
    codes = _CODED.get(param_id)
    if codes is not None and len(raw) == 1:
        by_code = {code: unit for unit, code in codes.items()}
        return by_code.get(raw[0], raw[0])
    return decode_param_value(param_id, raw)


class TerminalParams:
    """The terminal's parameters, keyed by parameter id, in the order they were set."""

    def __init__(self) -> None:
        self._params: dict[int, tuple[Any, bytes]] = {}

    def set_params(self, param_id: int, *param_value: Any) -> bool:
        """Set ``param_id`` from the values of the seed's table; ``False`` if they don't fit."""
        try:
            _check(param_id, 0, 0xFFFFFFFF, "param_id")
            self._params[param_id] = _encode(param_id, param_value)
        except (_BadValue, TypeError, IndexError) as exc:
            log.warning("set_params(0x%04X): %s", param_id if isinstance(param_id, int) else 0,
                        exc)
            return False
        return True

    def get_params(self) -> dict[int, dict[str, Any]]:
        """``{param_id: {"value": value, "hex": "UPPER HEX of the wire value"}}``."""
        return {param_id: {"value": value, "hex": raw.hex().upper()}
                for param_id, (value, raw) in self._params.items()}

    def del_params(self, param_id: int) -> bool:
        """Forget ``param_id`` (``True`` also when it was not set)."""
        self._params.pop(param_id, None)
        return True

    def parse(self, param_id: int, hex_value: str) -> Any:
        """The value of wire hex ``hex_value``: int/str, or a dict by the seed's names for
        several-value ids (0x0032, 0x005D, 0x0064, 0x0065, 0x0090, 0x0110-0x01FF)."""
        raw = bytes.fromhex(hex_value)
        value = _value_from_wire(param_id, raw)
        compound = _COMPOUND.get(param_id)
        if compound is None or not isinstance(value, tuple):
            return value
        named = dict(zip(compound.names, value))
        if compound is _CAN:
            return {name: named[name] for name in _CAN_PARSE_ORDER}
        return named

    # -- bridges to the codec (TerminalParam items of 0x8103 / 0x0104) ----------------
    def set_wire(self, param_id: int, raw: bytes) -> None:
        """Store a value as received on the wire (0x8103), keeping its exact bytes."""
        self._params[param_id] = (_value_from_wire(param_id, bytes(raw)), bytes(raw))

    def to_wire(self, param_ids: Iterable[int] | None = None) -> tuple[TerminalParam, ...]:
        """The stored parameters (or those of ``param_ids`` that are set) as raw-valued
        :class:`~jt808.codec.TerminalParam` items, ready for 0x0104."""
        ids = self._params if param_ids is None else [i for i in param_ids if i in self._params]
        return tuple(TerminalParam(i, self._params[i][1]) for i in ids)

    def __contains__(self, param_id: object) -> bool:
        return param_id in self._params

    def __len__(self) -> int:
        return len(self._params)

    def __repr__(self) -> str:
        return f"TerminalParams({self.get_params()!r})"
