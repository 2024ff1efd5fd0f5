"""Location extras (additional information items) of 0x0200: ``id BYTE | length BYTE | value``.

JT/T 808-2013 table 27/28, 2019 table 27/28. One small frozen class per standard extra,
values in user units; :class:`RawExtra` keeps any other item (vendor 0xE0-0xFF, JT/T 1078
and other extensions, or a standard id whose length disagrees with its layout) as bytes.
``decode_extras`` keeps wire order; ``encode_extras`` writes items back unchanged.
"""
from __future__ import annotations

import struct
from typing import Callable, ClassVar

import attrs

from ..errors import LocalProtocolError, TruncatedError

__all__ = [
    "Mileage", "Fuel", "TachographSpeed", "AlarmEventId", "TirePressure",
    "CarriageTemperature", "OverspeedInfo", "AreaAlarmInfo", "RoadTimeInfo",
    "VehicleSignals", "IoStatus", "AnalogInputs", "SignalStrength", "SatelliteCount",
    "RawExtra", "Extra", "EXTRA_TYPES", "VEHICLE_SIGNAL_BITS", "IO_STATUS_BITS",
    "decode_extras", "encode_extras",
]

# id BYTE | length BYTE | DWORD / WORD / BYTE value
_HEAD_U32 = struct.Struct(">BBI")
_HEAD_U16 = struct.Struct(">BBH")
_HEAD_U8 = struct.Struct(">BBB")
# value only: DWORD, WORD
_U32 = struct.Struct(">I")
_U16 = struct.Struct(">H")
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


def _bad(field: str, value: object, why: str) -> LocalProtocolError:
    return LocalProtocolError(f"{field}={value!r}: {why}", msg_id=0x0200, field=field)


_PACK_ERRORS = (struct.error, TypeError, ValueError, OverflowError)


def _bad_tenths(field: str, value: object, limit: int) -> LocalProtocolError:
    return _bad(field, value, f"must be a number in 0..{limit / 10} (0.1 steps)")


def _pack(st: struct.Struct, field: str, *values: object) -> bytes:
    try:
        return st.pack(*values)
    except (struct.error, TypeError) as exc:
        raise _bad(field, values, f"does not fit: {exc}") from exc


class _Extra:
    """Base of the typed extras: ``EXTRA_ID`` and ``extra_bytes()`` (id, length, value)."""

    __slots__ = ()
    EXTRA_ID: ClassVar[int]

    @property
    def extra_id(self) -> int:
        return self.EXTRA_ID

    def extra_bytes(self) -> bytes:
        raise NotImplementedError


@attrs.frozen(slots=True)
class Mileage(_Extra):
    """0x01 odometer, km (DWORD, 0.1 km)."""

    EXTRA_ID: ClassVar[int] = 0x01
    km: float

    def extra_bytes(self) -> bytes:
        try:
            return _HEAD_U32.pack(0x01, 4, round(self.km * 10))
        except _PACK_ERRORS:
            raise _bad_tenths("mileage", self.km, 0xFFFFFFFF) from None


@attrs.frozen(slots=True)
class Fuel(_Extra):
    """0x02 fuel gauge, litres (WORD, 0.1 L)."""

    EXTRA_ID: ClassVar[int] = 0x02
    liters: float

    def extra_bytes(self) -> bytes:
        try:
            return _HEAD_U16.pack(0x02, 2, round(self.liters * 10))
        except _PACK_ERRORS:
            raise _bad_tenths("fuel", self.liters, 0xFFFF) from None


@attrs.frozen(slots=True)
class TachographSpeed(_Extra):
    """0x03 speed from the driving recorder, km/h (WORD, 0.1 km/h)."""

    EXTRA_ID: ClassVar[int] = 0x03
    kmh: float

    def extra_bytes(self) -> bytes:
        try:
            return _HEAD_U16.pack(0x03, 2, round(self.kmh * 10))
        except _PACK_ERRORS:
            raise _bad_tenths("tachograph_speed", self.kmh, 0xFFFF) from None


@attrs.frozen(slots=True)
class AlarmEventId(_Extra):
    """0x04 id of an alarm event that needs manual confirmation (WORD)."""

    EXTRA_ID: ClassVar[int] = 0x04
    event_id: int

    def extra_bytes(self) -> bytes:
        return _pack(_HEAD_U16, "alarm_event_id", 0x04, 2, self.event_id)


@attrs.frozen(slots=True)
class TirePressure(_Extra):
    """0x05 (2019) tyre pressures, Pa, BYTE[30]; 0xFF means no data (padding)."""

    EXTRA_ID: ClassVar[int] = 0x05
    pressures: tuple[int, ...]

    def extra_bytes(self) -> bytes:
        values = tuple(self.pressures)
        if len(values) > TIRE_COUNT:
            raise _bad("tire_pressure", values, f"more than {TIRE_COUNT} tyres")
        try:
            raw = bytes(values) + bytes((TIRE_NO_DATA,)) * (TIRE_COUNT - len(values))
        except (ValueError, TypeError) as exc:
            raise _bad("tire_pressure", values, "each value must be 0..255") from exc
        return bytes((0x05, TIRE_COUNT)) + raw


@attrs.frozen(slots=True)
class CarriageTemperature(_Extra):
    """0x06 (2019) carriage temperature, degrees C; WORD, top bit set = negative."""

    EXTRA_ID: ClassVar[int] = 0x06
    celsius: int

    def extra_bytes(self) -> bytes:
        value = self.celsius
        if not isinstance(value, int) or not -0x7FFF <= value <= 0x7FFF:
            raise _bad("carriage_temperature", value, "must be an int in -32767..32767")
        return _HEAD_U16.pack(0x06, 2, -value | 0x8000 if value < 0 else value)


@attrs.frozen(slots=True)
class OverspeedInfo(_Extra):
    """0x11 overspeed alarm: ``loc_type`` 0 none, 1 circle, 2 rectangle, 3 polygon,
    4 road segment; ``area_segment_id`` only when ``loc_type`` is not 0."""

    EXTRA_ID: ClassVar[int] = 0x11
    loc_type: int
    area_segment_id: int | None = None

    def extra_bytes(self) -> bytes:
        if self.loc_type == 0 and self.area_segment_id is None:
            return bytes((0x11, 1, 0))
        if self.area_segment_id is None:
            raise _bad("area_segment_id", None, f"required when loc_type is {self.loc_type}")
        return b"\x11\x05" + _pack(_OVERSPEED, "overspeed", self.loc_type, self.area_segment_id)


@attrs.frozen(slots=True)
class AreaAlarmInfo(_Extra):
    """0x12 in/out area or route alarm: ``loc_type`` 1-4, id, ``direction`` 0 in, 1 out."""

    EXTRA_ID: ClassVar[int] = 0x12
    loc_type: int
    area_segment_id: int
    direction: int

    def extra_bytes(self) -> bytes:
        return b"\x12\x06" + _pack(_AREA, "area_alarm", self.loc_type, self.area_segment_id,
                                   self.direction)


@attrs.frozen(slots=True)
class RoadTimeInfo(_Extra):
    """0x13 road segment travel time too short/long: ``result`` 0 too short, 1 too long."""

    EXTRA_ID: ClassVar[int] = 0x13
    road_id: int
    travel_time: int
    result: int

    def extra_bytes(self) -> bytes:
        return b"\x13\x07" + _pack(_ROAD, "road_time", self.road_id, self.travel_time,
                                   self.result)


class _Flags(_Extra):
    __slots__ = ()
    BITS: ClassVar[dict[str, int]]
    flags: int

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


@attrs.frozen(slots=True)
class VehicleSignals(_Flags):
    """0x25 extended vehicle signal status, DWORD of bits (``VEHICLE_SIGNAL_BITS``)."""

    EXTRA_ID: ClassVar[int] = 0x25
    BITS: ClassVar[dict[str, int]] = VEHICLE_SIGNAL_BITS
    flags: int

    def extra_bytes(self) -> bytes:
        return _pack(_HEAD_U32, "vehicle_signals", 0x25, 4, self.flags)


@attrs.frozen(slots=True)
class IoStatus(_Flags):
    """0x2A IO status, WORD of bits (``IO_STATUS_BITS``: deep sleep, sleep)."""

    EXTRA_ID: ClassVar[int] = 0x2A
    BITS: ClassVar[dict[str, int]] = IO_STATUS_BITS
    flags: int

    def extra_bytes(self) -> bytes:
        return _pack(_HEAD_U16, "io_status", 0x2A, 2, self.flags)


@attrs.frozen(slots=True)
class AnalogInputs(_Extra):
    """0x2B analog inputs: DWORD, bits 0-15 AD0, bits 16-31 AD1."""

    EXTRA_ID: ClassVar[int] = 0x2B
    ad0: int
    ad1: int

    def extra_bytes(self) -> bytes:
        return b"\x2b\x04" + _pack(_ANALOG, "analog", self.ad1, self.ad0)


@attrs.frozen(slots=True)
class SignalStrength(_Extra):
    """0x30 wireless network signal strength (BYTE)."""

    EXTRA_ID: ClassVar[int] = 0x30
    level: int

    def extra_bytes(self) -> bytes:
        try:
            return _HEAD_U8.pack(0x30, 1, self.level)
        except _PACK_ERRORS:
            raise _bad("signal_strength", self.level, "must be 0..255") from None


@attrs.frozen(slots=True)
class SatelliteCount(_Extra):
    """0x31 number of GNSS satellites in the fix (BYTE)."""

    EXTRA_ID: ClassVar[int] = 0x31
    count: int

    def extra_bytes(self) -> bytes:
        try:
            return _HEAD_U8.pack(0x31, 1, self.count)
        except _PACK_ERRORS:
            raise _bad("satellites", self.count, "must be 0..255") from None


@attrs.frozen(slots=True)
class RawExtra(_Extra):
    """Any other extra, kept as its value bytes and re-encoded unchanged."""

    EXTRA_ID: ClassVar[int] = -1
    extra_id: int  # type: ignore[assignment]
    data: bytes = b""

    def extra_bytes(self) -> bytes:
        if not 0 <= self.extra_id <= 0xFF:
            raise _bad("extra_id", self.extra_id, "must be 0..255")
        if len(self.data) > 0xFF:
            raise _bad("extra_data", len(self.data), "more than 255 bytes")
        return bytes((self.extra_id, len(self.data))) + bytes(self.data)


Extra = _Extra

def fast_builder(cls: type) -> Callable:
    """A constructor for an attrs frozen slots class that skips ``__init__``.

    Only for the decode hot path, and only for classes without validators/converters:
    it sets each slot straight through its descriptor, in field order.
    """
    names = [field.name for field in attrs.fields(cls)]
    namespace: dict = {"new": object.__new__, "cls": cls}
    namespace.update({f"set{i}": getattr(cls, name).__set__ for i, name in enumerate(names)})
    args = ", ".join(f"a{i}" for i in range(len(names)))
    body = "".join(f"    set{i}(o, a{i})\n" for i in range(len(names)))
    exec(f"def build({args}):\n    o = new(cls)\n{body}    return o\n", namespace)
    return namespace["build"]


# -- decoding: id -> (value length, (data, offset) -> item or None) -----------------------
# A length of None means "any": the function then gets the value bytes alone.
_u32 = _U32.unpack_from
_u16 = _U16.unpack_from


def _overspeed(value: bytes) -> OverspeedInfo | None:
    if len(value) == 1 and value[0] == 0:
        return OverspeedInfo(0)
    if len(value) == 5:
        return OverspeedInfo(*_OVERSPEED.unpack(value))
    return None


def _temperature(data: bytes, pos: int) -> CarriageTemperature | None:
    raw = _u16(data, pos)[0]
    if raw == 0x8000:  # "minus zero" would not re-encode to the same bytes
        return None
    return CarriageTemperature(-(raw & 0x7FFF) if raw & 0x8000 else raw)


def _analog(data: bytes, pos: int) -> AnalogInputs:
    ad1, ad0 = _ANALOG.unpack_from(data, pos)
    return AnalogInputs(ad0, ad1)


_mileage = fast_builder(Mileage)
_fuel = fast_builder(Fuel)
_tacho = fast_builder(TachographSpeed)
_signal = fast_builder(SignalStrength)
_satellites = fast_builder(SatelliteCount)
_raw = fast_builder(RawExtra)

_DECODERS: dict[int, tuple[int | None, Callable]] = {
    0x01: (4, lambda d, p: _mileage(_u32(d, p)[0] / 10)),
    0x02: (2, lambda d, p: _fuel(_u16(d, p)[0] / 10)),
    0x03: (2, lambda d, p: _tacho(_u16(d, p)[0] / 10)),
    0x04: (2, lambda d, p: AlarmEventId(_u16(d, p)[0])),
    0x05: (TIRE_COUNT, lambda d, p: TirePressure(tuple(d[p:p + TIRE_COUNT]))),
    0x06: (2, _temperature),
    0x11: (None, _overspeed),
    0x12: (6, lambda d, p: AreaAlarmInfo(*_AREA.unpack_from(d, p))),
    0x13: (7, lambda d, p: RoadTimeInfo(*_ROAD.unpack_from(d, p))),
    0x25: (4, lambda d, p: VehicleSignals(_u32(d, p)[0])),
    0x2A: (2, lambda d, p: IoStatus(_u16(d, p)[0])),
    0x2B: (4, _analog),
    0x30: (1, lambda d, p: _signal(d[p])),
    0x31: (1, lambda d, p: _satellites(d[p])),
}

#: extra id -> typed class, for every standard extra this module knows.
EXTRA_TYPES: dict[int, type[_Extra]] = {
    cls.EXTRA_ID: cls for cls in (
        Mileage, Fuel, TachographSpeed, AlarmEventId, TirePressure, CarriageTemperature,
        OverspeedInfo, AreaAlarmInfo, RoadTimeInfo, VehicleSignals, IoStatus, AnalogInputs,
        SignalStrength, SatelliteCount)
}


def decode_extras(data: bytes, pos: int, end: int, msg_id: int | None = 0x0200) -> tuple:
    """The extras in ``data[pos:end]``, in wire order.

    A standard id whose length does not fit its layout is kept as :class:`RawExtra`;
    an item running past ``end`` raises ``TruncatedError``.
    """
    items = []
    append = items.append
    decoders = _DECODERS
    while pos < end:
        if pos + 2 > end:
            raise TruncatedError(f"extra header needs 2 bytes, {end - pos} left",
                                 msg_id=msg_id, field="extras", offset=pos)
        extra_id = data[pos]
        stop = pos + 2 + data[pos + 1]
        if stop > end:
            raise TruncatedError(f"extra 0x{extra_id:02X} needs {data[pos + 1]} bytes, "
                                 f"{end - pos - 2} left", msg_id=msg_id,
                                 field=f"extras[0x{extra_id:02X}]", offset=pos)
        spec = decoders.get(extra_id)
        item = None
        if spec is not None:
            size = spec[0]
            if size is None:
                item = spec[1](data[pos + 2:stop])
            elif size == stop - pos - 2:
                item = spec[1](data, pos + 2)
        append(item if item is not None else _raw(extra_id, bytes(data[pos + 2:stop])))
        pos = stop
    return tuple(items)


def encode_extras(extras) -> bytes:
    """The wire bytes of ``extras`` (items with ``extra_bytes()``), in the given order."""
    try:
        return b"".join([item.extra_bytes() for item in extras])
    except AttributeError as exc:
        raise LocalProtocolError(f"extras must be extra items: {exc}", msg_id=0x0200,
                                 field="extras") from exc
