"""Location extras (additional information items) of 0x0200: ``id BYTE | length BYTE | value``.

JT/T 808-2013 table 27/28, 2019 table 27/28. One small frozen class per standard extra,
values in user units. Each class carries its own ``EXTRA_ID``, ``SIZE`` (the value length
the standard fixes, ``None`` when it varies), ``encode_value(version)`` and
``decode_value(data, version)``; :func:`register_extra` files it in :data:`EXTRA_TYPES`,
the built-ins exactly like a vendor's. :class:`RawExtra` keeps any other item (vendor
0xE0-0xFF, JT/T 1078 and other extensions without a class, or a known id whose value
does not fit its layout) as bytes. ``decode_extras`` keeps wire order; ``encode_extras``
writes items back unchanged.
"""
from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import attrs

from ..errors import LocalProtocolError, RemoteProtocolError, TruncatedError
from ..frame import Version
from . import _plugins

__all__ = [
    "Mileage", "Fuel", "TachographSpeed", "AlarmEventId", "TirePressure",
    "CarriageTemperature", "OverspeedInfo", "AreaAlarmInfo", "RoadTimeInfo",
    "VehicleSignals", "IoStatus", "AnalogInputs", "SignalStrength", "SatelliteCount",
    "RawExtra", "Extra", "EXTRA_TYPES", "VEHICLE_SIGNAL_BITS", "IO_STATUS_BITS",
    "register_extra", "decode_extras", "decode_extras_until", "encode_extras",
]

_U32 = struct.Struct(">I")
_U16 = struct.Struct(">H")
_U8 = struct.Struct(">B")
# 0x11 with area: type BYTE | area id DWORD
_OVERSPEED = struct.Struct(">BI")
# 0x12: type BYTE | area id DWORD | direction BYTE
_AREA = struct.Struct(">BIB")
# 0x13: road id DWORD | travel time WORD | result BYTE
_ROAD = struct.Struct(">IHB")
# 0x2B: AD1 WORD (high) | AD0 WORD (low)
_ANALOG = struct.Struct(">HH")

TIRE_COUNT = 30
TIRE_NO_DATA = 0xFF

#: 0x25 extended vehicle signal bits (2013 table 29), seed names.
VEHICLE_SIGNAL_BITS: dict[str, int] = {
    "low_beam_lights": 0, "high_beam": 1, "right_turn": 2, "left_turn": 3, "brake": 4,
    "reverse": 5, "fog_light": 6, "position": 7, "horn": 8, "air_conditioning": 9,
    "neutral": 10, "retarder": 11, "abs_work": 12, "heating": 13, "clutch": 14,
}
#: 0x2A IO status bits (2013 table 30), seed names.
IO_STATUS_BITS: dict[str, int] = {"deep_sleep": 0, "sleep": 1}

_PACK_ERRORS = (struct.error, TypeError, ValueError, OverflowError)


def _bad(field: str, value: object, why: str) -> LocalProtocolError:
    return LocalProtocolError(f"{field}={value!r}: {why}", msg_id=0x0200, field=field)


def _pack(st: struct.Struct, field: str, *values: object) -> bytes:
    try:
        return st.pack(*values)
    except (struct.error, TypeError) as exc:
        raise _bad(field, values, f"does not fit: {exc}") from exc


def _tenths(st: struct.Struct, field: str, value: float) -> bytes:
    """``value`` in 0.1 units as an unsigned ``st`` (DWORD/WORD)."""
    try:
        return st.pack(round(value * 10))
    except _PACK_ERRORS:
        limit = (1 << (8 * st.size)) - 1
        raise _bad(field, value, f"must be a number in 0..{limit / 10} (0.1 steps)") from None


class Extra:
    """Base of the extra classes: a value for one ``id BYTE | length BYTE | value`` item.

    A subclass sets ``EXTRA_ID`` (0..255) and ``SIZE`` (the value length, or ``None``
    when ``decode_value`` accepts several), and defines ``encode_value(version) -> bytes``
    and the class method ``decode_value(data, version)`` (``None`` when ``data`` does not
    fit the layout: the item is then kept as :class:`RawExtra`).
    """

    __slots__ = ()
    EXTRA_ID: ClassVar[int]
    SIZE: ClassVar[int | None] = None

    @property
    def extra_id(self) -> int:
        return self.EXTRA_ID

    def encode_value(self, version: Version) -> bytes:
        raise NotImplementedError

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "Extra | None":
        raise NotImplementedError

    def extra_bytes(self, version: Version = Version.V2013) -> bytes:
        """The whole item: id, length and value."""
        value = self.encode_value(version)
        if len(value) > 0xFF:
            raise _bad("extra_data", len(value), "more than 255 bytes")
        return bytes((self.extra_id, len(value))) + value


_Extra = Extra  # the name this module used before the extension API
E = TypeVar("E", bound=type)

#: extra id -> class, for the standard extras and every registered vendor extra.
EXTRA_TYPES: dict[int, type[Extra]] = {}
_BUILTIN_EXTRAS: set[int] = set()


def register_extra(cls: E) -> E:
    """Class decorator: decode extra ``cls.EXTRA_ID`` as ``cls`` from now on.

    An id already registered by another class (a standard extra included) raises
    ``ValueError``: a built-in cannot be shadowed.
    """
    extra_id = getattr(cls, "EXTRA_ID", None)
    if not isinstance(extra_id, int) or not 0 <= extra_id <= 0xFF:
        raise ValueError(f"{cls.__name__}.EXTRA_ID must be an int in 0..255, not {extra_id!r}")
    for name in ("encode_value", "decode_value", "extra_bytes"):
        if not callable(getattr(cls, name, None)):
            raise ValueError(f"{cls.__name__} has no {name}(); subclass jt808.codec.Extra")
    known = EXTRA_TYPES.get(extra_id)
    if known is not None and known is not cls:
        what = "the standard extra" if extra_id in _BUILTIN_EXTRAS else "extra"
        raise ValueError(f"extra 0x{extra_id:02X} is already {what} {known.__name__}; "
                         f"{cls.__name__} cannot shadow it")
    EXTRA_TYPES[extra_id] = cls
    return cls


@attrs.frozen(slots=True)
class Mileage(Extra):
    """0x01 odometer, km (DWORD, 0.1 km)."""

    EXTRA_ID: ClassVar[int] = 0x01
    SIZE: ClassVar[int] = 4
    km: float

    def encode_value(self, version: Version) -> bytes:
        return _tenths(_U32, "mileage", self.km)

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "Mileage":
        return cls(_U32.unpack(data)[0] / 10)


@attrs.frozen(slots=True)
class Fuel(Extra):
    """0x02 fuel gauge, litres (WORD, 0.1 L)."""

    EXTRA_ID: ClassVar[int] = 0x02
    SIZE: ClassVar[int] = 2
    liters: float

    def encode_value(self, version: Version) -> bytes:
        return _tenths(_U16, "fuel", self.liters)

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "Fuel":
        return cls(_U16.unpack(data)[0] / 10)


@attrs.frozen(slots=True)
class TachographSpeed(Extra):
    """0x03 speed from the driving recorder, km/h (WORD, 0.1 km/h)."""

    EXTRA_ID: ClassVar[int] = 0x03
    SIZE: ClassVar[int] = 2
    kmh: float

    def encode_value(self, version: Version) -> bytes:
        return _tenths(_U16, "tachograph_speed", self.kmh)

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "TachographSpeed":
        return cls(_U16.unpack(data)[0] / 10)


@attrs.frozen(slots=True)
class AlarmEventId(Extra):
    """0x04 id of an alarm event that needs manual confirmation (WORD)."""

    EXTRA_ID: ClassVar[int] = 0x04
    SIZE: ClassVar[int] = 2
    event_id: int

    def encode_value(self, version: Version) -> bytes:
        return _pack(_U16, "alarm_event_id", self.event_id)

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "AlarmEventId":
        return cls(_U16.unpack(data)[0])


@attrs.frozen(slots=True)
class TirePressure(Extra):
    """0x05 (2019) tyre pressures, Pa, BYTE[30]; 0xFF means no data (padding)."""

    EXTRA_ID: ClassVar[int] = 0x05
    SIZE: ClassVar[int] = TIRE_COUNT
    pressures: tuple[int, ...]

    def encode_value(self, version: Version) -> bytes:
        values = tuple(self.pressures)
        if len(values) > TIRE_COUNT:
            raise _bad("tire_pressure", values, f"more than {TIRE_COUNT} tyres")
        try:
            return bytes(values) + bytes((TIRE_NO_DATA,)) * (TIRE_COUNT - len(values))
        except (ValueError, TypeError) as exc:
            raise _bad("tire_pressure", values, "each value must be 0..255") from exc

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "TirePressure":
        return cls(tuple(data))


@attrs.frozen(slots=True)
class CarriageTemperature(Extra):
    """0x06 (2019) carriage temperature, degrees C; WORD, top bit set = negative."""

    EXTRA_ID: ClassVar[int] = 0x06
    SIZE: ClassVar[int] = 2
    celsius: int

    def encode_value(self, version: Version) -> bytes:
        value = self.celsius
        if not isinstance(value, int) or not -0x7FFF <= value <= 0x7FFF:
            raise _bad("carriage_temperature", value, "must be an int in -32767..32767")
        return _U16.pack(-value | 0x8000 if value < 0 else value)

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "CarriageTemperature | None":
        raw = _U16.unpack(data)[0]
        if raw == 0x8000:  # "minus zero" would not re-encode to the same bytes
            return None
        return cls(-(raw & 0x7FFF) if raw & 0x8000 else raw)


@attrs.frozen(slots=True)
class OverspeedInfo(Extra):
    """0x11 overspeed alarm: ``loc_type`` 0 none, 1 circle, 2 rectangle, 3 polygon,
    4 road segment; ``area_segment_id`` only when ``loc_type`` is not 0."""

    EXTRA_ID: ClassVar[int] = 0x11
    SIZE: ClassVar[None] = None  # 1 (type 0) or 5
    loc_type: int
    area_segment_id: int | None = None

    def encode_value(self, version: Version) -> bytes:
        if self.loc_type == 0 and self.area_segment_id is None:
            return b"\x00"
        if self.area_segment_id is None:
            raise _bad("area_segment_id", None, f"required when loc_type is {self.loc_type}")
        return _pack(_OVERSPEED, "overspeed", self.loc_type, self.area_segment_id)

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "OverspeedInfo | None":
        if data == b"\x00":
            return cls(0)
        if len(data) == _OVERSPEED.size:
            return cls(*_OVERSPEED.unpack(data))
        return None


@attrs.frozen(slots=True)
class AreaAlarmInfo(Extra):
    """0x12 in/out area or route alarm: ``loc_type`` 1-4, id, ``direction`` 0 in, 1 out."""

    EXTRA_ID: ClassVar[int] = 0x12
    SIZE: ClassVar[int] = _AREA.size
    loc_type: int
    area_segment_id: int
    direction: int

    def encode_value(self, version: Version) -> bytes:
        return _pack(_AREA, "area_alarm", self.loc_type, self.area_segment_id, self.direction)

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "AreaAlarmInfo":
        return cls(*_AREA.unpack(data))


@attrs.frozen(slots=True)
class RoadTimeInfo(Extra):
    """0x13 road segment travel time too short/long: ``result`` 0 too short, 1 too long."""

    EXTRA_ID: ClassVar[int] = 0x13
    SIZE: ClassVar[int] = _ROAD.size
    road_id: int
    travel_time: int
    result: int

    def encode_value(self, version: Version) -> bytes:
        return _pack(_ROAD, "road_time", self.road_id, self.travel_time, self.result)

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "RoadTimeInfo":
        return cls(*_ROAD.unpack(data))


class _Flags(Extra):
    __slots__ = ()
    BITS: ClassVar[dict[str, int]]
    FIELD: ClassVar[str]
    WIDTH: ClassVar[struct.Struct]
    flags: int

    if TYPE_CHECKING:                  # the attrs subclasses take the flags word
        def __init__(self, flags: int) -> None: ...

    def __getitem__(self, name: str) -> int:
        """The 0/1 value of the named bit (``VEHICLE_SIGNAL_BITS`` / ``IO_STATUS_BITS``)."""
        return (self.flags >> self.BITS[name]) & 1

    def as_dict(self) -> dict[str, int]:
        return {name: (self.flags >> bit) & 1 for name, bit in self.BITS.items()}

    @classmethod
    def from_names(cls, **values: int):
        flags = 0
        for name, on in values.items():
            if name not in cls.BITS:
                raise LocalProtocolError(f"no bit named {name!r}", field=name)
            flags |= (1 if on else 0) << cls.BITS[name]
        return cls(flags)

    def encode_value(self, version: Version) -> bytes:
        return _pack(self.WIDTH, self.FIELD, self.flags)

    @classmethod
    def decode_value(cls, data: bytes, version: Version):
        return cls(cls.WIDTH.unpack(data)[0])


@attrs.frozen(slots=True)
class VehicleSignals(_Flags):
    """0x25 extended vehicle signal status, DWORD of bits (``VEHICLE_SIGNAL_BITS``)."""

    EXTRA_ID: ClassVar[int] = 0x25
    SIZE: ClassVar[int] = 4
    BITS: ClassVar[dict[str, int]] = VEHICLE_SIGNAL_BITS
    FIELD: ClassVar[str] = "vehicle_signals"
    WIDTH: ClassVar[struct.Struct] = _U32
    flags: int


@attrs.frozen(slots=True)
class IoStatus(_Flags):
    """0x2A IO status, WORD of bits (``IO_STATUS_BITS``: deep sleep, sleep)."""

    EXTRA_ID: ClassVar[int] = 0x2A
    SIZE: ClassVar[int] = 2
    BITS: ClassVar[dict[str, int]] = IO_STATUS_BITS
    FIELD: ClassVar[str] = "io_status"
    WIDTH: ClassVar[struct.Struct] = _U16
    flags: int


@attrs.frozen(slots=True)
class AnalogInputs(Extra):
    """0x2B analog inputs: DWORD, bits 0-15 AD0, bits 16-31 AD1."""

    EXTRA_ID: ClassVar[int] = 0x2B
    SIZE: ClassVar[int] = _ANALOG.size
    ad0: int
    ad1: int

    def encode_value(self, version: Version) -> bytes:
        return _pack(_ANALOG, "analog", self.ad1, self.ad0)

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "AnalogInputs":
        ad1, ad0 = _ANALOG.unpack(data)
        return cls(ad0, ad1)


@attrs.frozen(slots=True)
class SignalStrength(Extra):
    """0x30 wireless network signal strength (BYTE)."""

    EXTRA_ID: ClassVar[int] = 0x30
    SIZE: ClassVar[int] = 1
    level: int

    def encode_value(self, version: Version) -> bytes:
        try:
            return _U8.pack(self.level)
        except _PACK_ERRORS:
            raise _bad("signal_strength", self.level, "must be 0..255") from None

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "SignalStrength":
        return cls(data[0])


@attrs.frozen(slots=True)
class SatelliteCount(Extra):
    """0x31 number of GNSS satellites in the fix (BYTE)."""

    EXTRA_ID: ClassVar[int] = 0x31
    SIZE: ClassVar[int] = 1
    count: int

    def encode_value(self, version: Version) -> bytes:
        try:
            return _U8.pack(self.count)
        except _PACK_ERRORS:
            raise _bad("satellites", self.count, "must be 0..255") from None

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "SatelliteCount":
        return cls(data[0])


@attrs.frozen(slots=True)
class RawExtra(Extra):
    """Any other extra, kept as its value bytes and re-encoded unchanged."""

    EXTRA_ID: ClassVar[int] = -1
    extra_id: int
    data: bytes = b""

    def encode_value(self, version: Version) -> bytes:
        return bytes(self.data)

    def extra_bytes(self, version: Version = Version.V2013) -> bytes:
        if not 0 <= self.extra_id <= 0xFF:
            raise _bad("extra_id", self.extra_id, "must be 0..255")
        return super().extra_bytes(version)


for _cls in (Mileage, Fuel, TachographSpeed, AlarmEventId, TirePressure, CarriageTemperature,
             OverspeedInfo, AreaAlarmInfo, RoadTimeInfo, VehicleSignals, IoStatus,
             AnalogInputs, SignalStrength, SatelliteCount):
    register_extra(_cls)
_BUILTIN_EXTRAS.update(EXTRA_TYPES)
del _cls

# A vendor's decode_value may fail in these ways on bytes it does not expect: the item
# is then kept raw, like a standard extra whose length does not fit.
_VALUE_ERRORS = (RemoteProtocolError, struct.error, ValueError, IndexError, TypeError)


def _decode_item(extra_id: int, value: bytes, version: Version) -> Extra:
    cls = EXTRA_TYPES.get(extra_id)
    item = None
    if cls is not None and (cls.SIZE is None or cls.SIZE == len(value)):
        try:
            item = cls.decode_value(value, version)
        except _VALUE_ERRORS:
            item = None
    return item if item is not None else RawExtra(extra_id, value)


def decode_extras(data: bytes, pos: int, end: int, msg_id: int | None = 0x0200,
                  version: Version = Version.V2013) -> tuple:
    """The extras in ``data[pos:end]``, in wire order.

    A known id whose value does not fit its layout is kept as :class:`RawExtra`;
    an item running past ``end`` raises ``TruncatedError``.
    """
    items, stop = decode_extras_until(data, pos, end, msg_id, version)
    if stop < end:
        _truncated(data, stop, end, msg_id)
    return items


def decode_extras_until(data: bytes, pos: int, end: int, msg_id: int | None = 0x0200,
                        version: Version = Version.V2013) -> tuple[tuple, int]:
    """The whole extras in ``data[pos:end]`` and where they stop: before an item that
    runs past ``end`` (``end`` when every item is whole)."""
    _plugins.load()
    items: list[Any] = []
    append = items.append
    while pos < end:
        if pos + 2 > end or pos + 2 + data[pos + 1] > end:
            break
        stop = pos + 2 + data[pos + 1]
        append(_decode_item(data[pos], bytes(data[pos + 2:stop]), version))
        pos = stop
    return tuple(items), pos


def _truncated(data: bytes, pos: int, end: int, msg_id: int | None) -> None:
    if pos + 2 > end:
        raise TruncatedError(f"extra header needs 2 bytes, {end - pos} left",
                             msg_id=msg_id, field="extras", offset=pos)
    extra_id = data[pos]
    raise TruncatedError(f"extra 0x{extra_id:02X} needs {data[pos + 1]} bytes, "
                         f"{end - pos - 2} left", msg_id=msg_id,
                         field=f"extras[0x{extra_id:02X}]", offset=pos)


def encode_extras(extras, version: Version = Version.V2013) -> bytes:
    """The wire bytes of ``extras`` (:class:`Extra` items), in the given order."""
    try:
        return b"".join([item.extra_bytes(version) for item in extras])
    except AttributeError as exc:
        raise LocalProtocolError(f"extras must be extra items: {exc}", msg_id=0x0200,
                                 field="extras") from exc
