"""Terminal parameters: the typed parameter table and 0x8103, 0x8104, 0x8106, 0x0104.

JT/T 808-2013 §8.8-8.11 and table 12 (parameter ids), 2019 §8.8-8.11 and table 13.
Each parameter item on the wire is ``id DWORD | length BYTE | value``. A value is an
``int`` (DWORD/WORD/BYTE), a ``str`` (STRING, GBK), ``bytes`` (BYTE[n], and any
parameter whose id is unknown or whose length does not fit its type), or an instance of
a parameter class registered with :func:`register_param`: a decoded item always
re-encodes to the identical bytes. The standard ids are registered with
``register_param(param_id, kind)`` exactly as a vendor's scalar parameter would be.
"""
from __future__ import annotations

import struct
from typing import Any, ClassVar, Iterable, Union

import attrs

from ..errors import LocalProtocolError, RemoteProtocolError
from ..frame import Buffer, Version
from . import _plugins
from ._base import ALL_VERSIONS, EmptyBody, Message, register

__all__ = [
    "ParamType", "register_param", "PARAM_CLASSES", "DWORD", "WORD", "BYTE", "STRING",
    "BYTES4", "BYTES8", "PARAM_TYPES",
    "param_type", "encode_param_value", "decode_param_value", "params_to_dict",
    "TerminalParam", "SetTerminalParams", "QueryTerminalParams",
    "QuerySpecificTerminalParams", "QueryTerminalParamsResponse",
]

ParamValue = Union[int, str, bytes, Any]


@attrs.frozen(slots=True)
class ParamType:
    """How one parameter's value is written: ``kind`` is ``"DWORD"``, ``"WORD"``,
    ``"BYTE"``, ``"STRING"`` or ``"BYTES"``; ``size`` the fixed width (``None`` for STRING)."""

    kind: str
    size: int | None

    @property
    def is_int(self) -> bool:
        return self.kind in ("DWORD", "WORD", "BYTE")


DWORD = ParamType("DWORD", 4)
WORD = ParamType("WORD", 2)
BYTE = ParamType("BYTE", 1)
STRING = ParamType("STRING", None)
BYTES4 = ParamType("BYTES", 4)
BYTES8 = ParamType("BYTES", 8)


def _ids(first: int, last: int, kind: ParamType) -> dict[int, ParamType]:
    return {param_id: kind for param_id in range(first, last + 1)}


#: The standard parameters of JT/T 808-2011/2013/2019 (2013 table 12, 2019 table 13)
#: and the seed's TerminalParams table, registered below.
_STANDARD_PARAMS: dict[int, ParamType] = {
    **_ids(0x0001, 0x0007, DWORD),     # heartbeat; TCP/UDP/SMS reply timeouts and retries
    **_ids(0x0010, 0x0017, STRING),    # main/backup server APN, user, password, address
    0x0018: DWORD, 0x0019: DWORD,      # server TCP/UDP port (2011/2013)
    0x001A: STRING,                    # IC card auth main server address
    0x001B: DWORD, 0x001C: DWORD,      # IC card auth server TCP/UDP port
    0x001D: STRING,                    # IC card auth backup server address
    **_ids(0x0020, 0x0022, DWORD),     # reporting strategy, scheme, no-driver interval
    **_ids(0x0023, 0x0026, STRING),    # slave server APN, user, password, address (2019)
    **_ids(0x0027, 0x0029, DWORD),     # sleep / emergency / default time intervals
    **_ids(0x002C, 0x002F, DWORD),     # distance intervals
    0x0030: DWORD,                     # corner re-send angle
    0x0031: WORD,                      # electronic fence radius
    0x0032: BYTES4,                    # illegal driving period (2019): hh mm hh mm
    **_ids(0x0040, 0x0044, STRING),    # platform, reset, factory reset, SMS, alarm SMS numbers
    **_ids(0x0045, 0x0047, DWORD),     # answer policy, call limits
    0x0048: STRING, 0x0049: STRING,    # monitor number, privileged SMS number
    **_ids(0x0050, 0x005A, DWORD),     # alarm masks, speed, driving/rest/stop times
    **_ids(0x005B, 0x005E, WORD),      # overspeed warning, fatigue warning, collision, rollover
    0x0064: DWORD, 0x0065: DWORD,      # timed / distance photo control
    **_ids(0x0070, 0x0074, DWORD),     # image quality, brightness, contrast, saturation, hue
    0x0080: DWORD,                     # odometer, 1/10 km
    0x0081: WORD, 0x0082: WORD,        # province, city
    0x0083: STRING,                    # plate
    0x0084: BYTE,                      # plate colour
    **_ids(0x0090, 0x0092, BYTE),      # GNSS mode, baud rate, output frequency
    0x0093: DWORD,                     # GNSS sampling frequency, s
    0x0094: BYTE,                      # GNSS upload mode
    0x0095: DWORD,                     # GNSS upload setting
    0x0100: DWORD, 0x0101: WORD,       # CAN channel 1 collect interval (ms), upload interval (s)
    0x0102: DWORD, 0x0103: WORD,       # CAN channel 2 collect interval (ms), upload interval (s)
    **_ids(0x0110, 0x01FF, BYTES8),    # CAN id collection settings
}

#: ``param_id -> ParamType`` of every scalar parameter: the standard ones and those
#: registered with ``register_param(param_id, kind)``. Ids in neither this table nor
#: :data:`PARAM_CLASSES` are vendor or reserved ids: their values stay raw bytes.
PARAM_TYPES: dict[int, ParamType] = {}
#: ``param_id -> class`` of the parameters registered as value classes.
PARAM_CLASSES: dict[int, type[Any]] = {}
_BUILTIN_PARAMS: set[int] = set()
_KINDS = {kind.kind: kind for kind in (DWORD, WORD, BYTE, STRING)}


def _param_kind(kind: "ParamType | str | int") -> ParamType:
    """``kind`` as a ParamType: a ParamType, a name (``"DWORD"``…) or a BYTE[n] width."""
    if isinstance(kind, ParamType):
        return kind
    if isinstance(kind, int) and not isinstance(kind, bool) and 0 < kind <= 0xFF:
        return ParamType("BYTES", kind)
    if isinstance(kind, str) and kind.upper() in _KINDS:
        return _KINDS[kind.upper()]
    raise ValueError(f"parameter kind {kind!r} is not a ParamType, one of {sorted(_KINDS)} "
                     "or a BYTE[n] width 1..255")


def _claim_param(param_id: object, owner: object) -> int:
    if not isinstance(param_id, int) or not 0 <= param_id <= 0xFFFFFFFF:
        raise ValueError(f"parameter id must be an int in 0..0xFFFFFFFF, not {param_id!r}")
    known = PARAM_CLASSES.get(param_id, PARAM_TYPES.get(param_id))
    if known is not None and known != owner:
        what = "the standard parameter" if param_id in _BUILTIN_PARAMS else "parameter"
        raise ValueError(f"parameter 0x{param_id:04X} is already {what} ({known!r}); "
                         f"{owner!r} cannot shadow it")
    return param_id


def register_param(param: Any, kind: "ParamType | str | int | None" = None) -> Any:
    """Register a parameter: a value class, or a scalar id with its ``kind``.

    ``register_param(cls)`` (also a class decorator): ``cls.PARAM_ID``, a method
    ``encode_value(version) -> bytes`` and a class method ``decode_value(data, version)``
    (``None`` when ``data`` does not fit: the value stays raw bytes).
    ``register_param(0xF001, "DWORD")``: a plain value, ``kind`` one of ``"DWORD"``,
    ``"WORD"``, ``"BYTE"``, ``"STRING"``, a BYTE[n] width, or a :class:`ParamType`.
    An id already registered otherwise (a standard id included) raises ``ValueError``.
    """
    if kind is not None:
        kind = _param_kind(kind)
        PARAM_TYPES[_claim_param(param, kind)] = kind
        return param
    if not isinstance(param, type):
        raise ValueError(f"register_param({param!r}) needs a class, or an id and a kind")
    for name in ("encode_value", "decode_value"):
        if not callable(getattr(param, name, None)):
            raise ValueError(f"{param.__name__} has no {name}()")
    PARAM_CLASSES[_claim_param(getattr(param, "PARAM_ID", None), param)] = param
    return param


for _param_id, _kind in _STANDARD_PARAMS.items():
    register_param(_param_id, _kind)
_BUILTIN_PARAMS.update(PARAM_TYPES)
del _param_id, _kind

# How a vendor's decode_value may refuse bytes it does not expect (the value stays raw).
_VALUE_ERRORS = (RemoteProtocolError, struct.error, ValueError, IndexError, TypeError)
_INT_STRUCTS = {4: struct.Struct(">I"), 2: struct.Struct(">H"), 1: struct.Struct(">B")}


def param_type(param_id: int) -> ParamType | None:
    """The type of a parameter id, or ``None`` for an id this library does not know."""
    return PARAM_TYPES.get(param_id)


def encode_param_value(param_id: int, value: ParamValue, msg_id: int | None = None,
                       version: Version = Version.V2013) -> bytes:
    """The wire bytes of one parameter value (without id and length).

    ``bytes`` are always written as they are (raw values of unknown ids, or of known
    ids that arrived with an odd length); an ``int`` needs an integer type, a ``str``
    a STRING type, a registered class its own instance. Anything else raises
    ``LocalProtocolError`` naming the parameter.
    """
    field = f"param 0x{param_id:04X}"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    cls = PARAM_CLASSES.get(param_id)
    if cls is not None and isinstance(value, cls):
        return bytes(value.encode_value(version))
    kind = PARAM_TYPES.get(param_id)
    if kind is not None and kind.is_int and isinstance(value, int) and not isinstance(value, bool):
        try:
            return _INT_STRUCTS[kind.size].pack(value)  # type: ignore[index]
        except struct.error:
            raise LocalProtocolError(f"{value!r} does not fit a {kind.kind}", msg_id=msg_id,
                                     field=field) from None
    if kind is not None and kind.kind == "STRING" and isinstance(value, str):
        try:
            return value.encode("gbk", "surrogateescape")
        except UnicodeEncodeError:
            raise LocalProtocolError(f"{value!r} cannot be encoded as GBK", msg_id=msg_id,
                                     field=field) from None
    expected = cls.__name__ if cls is not None else "bytes" if kind is None else (
        "int" if kind.is_int else "str" if kind.kind == "STRING" else "bytes")
    raise LocalProtocolError(f"value {value!r} is not {expected}", msg_id=msg_id, field=field)


def decode_param_value(param_id: int, raw: bytes,
                       version: Version = Version.V2013) -> ParamValue:
    """The typed value of one parameter: ``int``/``str`` by :data:`PARAM_TYPES`, an
    instance of its :data:`PARAM_CLASSES` class, else raw bytes.

    A known id whose value has the wrong length for its type (or that its class's
    ``decode_value`` refuses) stays raw ``bytes``, so it still re-encodes unchanged.
    """
    _plugins.load()
    cls = PARAM_CLASSES.get(param_id)
    if cls is not None:
        try:
            value = cls.decode_value(bytes(raw), version)
        except _VALUE_ERRORS:
            value = None
        return raw if value is None else value
    kind = PARAM_TYPES.get(param_id)
    if kind is None:
        return raw
    if kind.kind == "STRING":
        return raw.decode("gbk", "surrogateescape")
    if kind.is_int and len(raw) == kind.size:
        return int.from_bytes(raw, "big")
    return raw


@attrs.frozen(slots=True)
class TerminalParam:
    """One parameter item: ``value`` is ``int``/``str``/``bytes`` (see :data:`PARAM_TYPES`)."""

    param_id: int
    value: ParamValue


def params_to_dict(params: Iterable[TerminalParam]) -> dict[int, ParamValue]:
    """``{param_id: value}`` of parameter items (a later item with the same id wins)."""
    return {item.param_id: item.value for item in params}


def _push_items(buf: Buffer, params: tuple[TerminalParam, ...], version: Version) -> None:
    buf.push_u8(len(params), "param_count")
    for item in params:
        raw = encode_param_value(item.param_id, item.value, buf.msg_id, version)
        buf.push_u32(item.param_id, "param_id")
        buf.push_u8(len(raw), f"param 0x{item.param_id:04X} length")
        buf.push_bytes(raw)


def _item_is_whole(buf: Buffer) -> bool:
    left = len(buf.data) - buf.pos
    return left >= 5 and left >= 5 + buf.data[buf.pos + 4]


def _pull_items(buf: Buffer, version: Version) -> tuple[TerminalParam, ...]:
    """The items after a count BYTE. Tolerant: an item cut short ends the list (its
    bytes stay trailing, the count byte is kept as sent)."""
    count_offset = buf.pos
    count = buf.pull_u8("param_count")
    items: list[TerminalParam] = []
    for _ in range(count):
        if not buf.strict and not _item_is_whole(buf):
            buf.quirk(f"parameter count says {count}, {len(items)} whole items follow",
                      "param_count", count_offset)
            buf.kept.append((count_offset, bytes((count,)), bytes((len(items),))))
            break
        param_id = buf.pull_u32("param_id")
        raw = buf.pull_bytes(buf.pull_u8("param_length"), f"param 0x{param_id:04X} value")
        items.append(TerminalParam(param_id, decode_param_value(param_id, raw, version)))
    return tuple(items)


def _param_tuple(value: Iterable[TerminalParam]) -> tuple[TerminalParam, ...]:
    return tuple(value)


@register
@attrs.frozen(slots=True)
class SetTerminalParams(Message):
    """0x8103: set terminal parameters (count BYTE, then the items)."""

    MSG_ID: ClassVar[int] = 0x8103
    VERSIONS = ALL_VERSIONS
    params: tuple[TerminalParam, ...] = attrs.field(default=(), converter=_param_tuple)

    def encode_into(self, buf: Buffer, version: Version) -> None:
        _push_items(buf, self.params, version)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "SetTerminalParams":
        return cls(_pull_items(buf, version))


@register
@attrs.frozen(slots=True)
class QueryTerminalParamsResponse(Message):
    """0x0104: the terminal's parameters, answering 0x8104 or 0x8106 (serial ``reply_serial``)."""

    MSG_ID: ClassVar[int] = 0x0104
    VERSIONS = ALL_VERSIONS
    reply_serial: int
    params: tuple[TerminalParam, ...] = attrs.field(default=(), converter=_param_tuple)

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u16(self.reply_serial, "reply_serial")
        _push_items(buf, self.params, version)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "QueryTerminalParamsResponse":
        return cls(buf.pull_u16("reply_serial"), _pull_items(buf, version))


@register
@attrs.frozen(slots=True)
class QueryTerminalParams(EmptyBody):
    """0x8104: query all terminal parameters (empty body)."""

    MSG_ID: ClassVar[int] = 0x8104
    VERSIONS = ALL_VERSIONS


def _id_tuple(value: Iterable[int]) -> tuple[int, ...]:
    return tuple(value)


@register
@attrs.frozen(slots=True)
class QuerySpecificTerminalParams(Message):
    """0x8106: query the parameters ``param_ids`` (count BYTE, ids DWORD[n]).

    JT/T 808-2013 added this message; it is kept for 2011 too (the seed sends it).
    """

    MSG_ID: ClassVar[int] = 0x8106
    VERSIONS = ALL_VERSIONS
    param_ids: tuple[int, ...] = attrs.field(default=(), converter=_id_tuple)

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(len(self.param_ids), "param_count")
        for param_id in self.param_ids:
            buf.push_u32(param_id, "param_ids")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "QuerySpecificTerminalParams":
        count = buf.pull_u8("param_count")
        return cls(tuple(buf.pull_u32("param_ids") for _ in range(count)))
