"""Location reports, queries, tracking, alarm confirmation and vehicle control.

JT/T 808-2013 §8.18-8.22, 8.35 (0x0200, 0x8201, 0x0201, 0x8202, 0x8203, 0x8500,
0x0500, 0x0704); 2019 §8.18-8.22. The 28-byte basic part of 0x0200 is reused by 0x0801
media uploads through :class:`LocationBasic` / :func:`encode_location_basic` /
:func:`decode_location_basic`.

Latitude and longitude are signed degrees: on the wire they are unsigned magnitudes
(1e-6 degree) and the south/west status bits (2, 3) carry the sign. Encoding a negative
value sets the bit; decoding applies the bit. The ``status`` field keeps the raw bits,
so a decoded report re-encodes byte for byte.
"""
from __future__ import annotations

import datetime as _dt
import struct
from typing import ClassVar

import attrs

from ..errors import LocalProtocolError, RemoteProtocolError, TruncatedError
from ..frame import Buffer, Version
from ._base import (_TIME_CACHE, ALL_VERSIONS, BEFORE_2019, ONLY_2019, EmptyBody, Message,
                    pull_time, register)
from ._extras import decode_extras, decode_extras_until, encode_extras

__all__ = [
    "LocationBasic", "LocationReport", "LocationQuery", "LocationQueryResponse",
    "TemporaryTracking", "ManualAlarmConfirm", "VehicleControl", "VehicleControl2019",
    "VehicleControlItem", "VehicleControlResponse", "LocationBatchReport",
    "encode_location_basic", "decode_location_basic", "location_basic_bytes",
    "STATUS_BITS", "ALARM_BITS", "STATUS_SOUTH", "STATUS_WEST", "CONFIRMABLE_ALARM_BITS",
    "LOCATION_BASIC_SIZE",
]

#: 0x0200 status bits (2013 table 24, 2019 table 24): seed name -> (first bit, width).
STATUS_BITS: dict[str, tuple[int, int]] = {
    "acc_onoff": (0, 1), "loc_status": (1, 1), "NS_latitude": (2, 1), "EW_longitude": (3, 1),
    "operational_status": (4, 1), "long_lat_encryption": (5, 1),
    "forward_collision_warning": (6, 1), "lane_departure_warning": (7, 1),
    "load_status": (8, 2), "vehicle_oil_status": (10, 1), "vehicle_circuit_status": (11, 1),
    "door_lock": (12, 1), "door_1_status": (13, 1), "door_2_status": (14, 1),
    "door_3_status": (15, 1), "door_4_status": (16, 1), "door_5_status": (17, 1),
    "gps_onoff": (18, 1), "bds_onoff": (19, 1), "glonass_onoff": (20, 1),
    "galileo_onoff": (21, 1), "running_status": (22, 1),
}
STATUS_SOUTH = 1 << 2
STATUS_WEST = 1 << 3

#: 0x0200 alarm flag bits (2013 table 25, 2019 table 25): seed name -> bit.
ALARM_BITS: dict[str, int] = {name: bit for bit, name in enumerate((
    "emergency_alarm", "over_speed_alarm", "fatigue_driving_alarm",
    "dangerous_driving_behaviour_alarm", "gnss_module_failure_alarm",
    "gnss_antenna_disconnection_alarm", "gnss_antenna_short_circuit_alarm",
    "terminal_main_power_supply_undervoltage_alarm", "terminal_main_power_failure_alarm",
    "terminal_lcd_or_display_failure_alarm", "tts_module_fault_alarm", "camera_failure_alarm",
    "road_transport_license_ic_card_module_fault_alarm", "over_speed_warning",
    "fatigue_driving_warning", "illegal_driving_alarm", "tire_pressure_warning",
    "right_turn_blind_spot_abnormal_alarm", "cumulative_driving_overtime_alarm_for_the_day",
    "overtime_parking_alarm", "in_and_out_of_the_area_alarm", "entry_and_exit_route_alarm",
    "insufficient_or_too_long_driving_time_on_the_road_section_alarm",
    "route_departure_alarm", "vehicle_vss_failure_alarm", "vehicle_fuel_abnormality_alarm",
    "vehicle_theft_alarm", "vehicle_illegal_ignition_alarm",
    "vehicle_illegal_displacement_alarm", "collision_rollover_alarm", "rollover_alarm",
    "illegal_door_opening_alarm"))}

#: 0x8203 alarm type bits (2013 table 39), seed ``data`` keys -> bit.
CONFIRMABLE_ALARM_BITS: dict[str, int] = {
    "emergency_alarm": 0, "hazard_alarm": 3, "in_out_area_alarm": 20, "in_out_road_alarm": 21,
    "insufficient_or_too_long_travel_time_on_the_road_alarm": 22,
    "vehicle_illegal_ignition_alarm": 27, "vehicle_illegal_displacement_alarm": 28,
}

# alarm DWORD | status DWORD | lat DWORD | lng DWORD | altitude WORD | speed WORD |
# direction WORD | time BCD[6]
_BASIC = struct.Struct(">IIIIHHH6s")
LOCATION_BASIC_SIZE = _BASIC.size  # 28
_BASIC_FIELDS = ((0, "alarm_flag"), (4, "status"), (8, "latitude"), (12, "longitude"),
                 (16, "altitude"), (18, "speed"), (20, "direction"), (22, "time"))
# one BCD byte per value 0..99
_BCD = tuple((i // 10) << 4 | i % 10 for i in range(100))
_TIME_ZERO = bytes(6)


def _time_bcd(value: _dt.datetime | None) -> bytes:
    if value is None:
        return _TIME_ZERO
    try:
        year = value.year
        if not 2000 <= year <= 2099:
            raise LocalProtocolError(f"year {year} does not fit BCD YY (2000-2099)",
                                     field="time")
        return bytes((_BCD[year - 2000], _BCD[value.month], _BCD[value.day],
                      _BCD[value.hour], _BCD[value.minute], _BCD[value.second]))
    except AttributeError as exc:
        raise LocalProtocolError(f"{value!r} is not a datetime", field="time") from exc


def _basic_error(values: tuple, msg_id: int | None) -> LocalProtocolError:
    names = ("alarm_flag", "status", "latitude", "longitude", "altitude", "speed",
             "direction")
    limits = (0xFFFFFFFF,) * 4 + (0xFFFF,) * 3
    for name, value, limit in zip(names, values, limits):
        if not isinstance(value, int) or not 0 <= value <= limit:
            return LocalProtocolError(f"{name} {value!r} does not fit (wire value 0..{limit})",
                                      msg_id=msg_id, field=name)
    return LocalProtocolError("location does not fit", msg_id=msg_id, field="location")


def location_basic_bytes(alarm_flag: int, status: int, latitude: float, longitude: float,
                         altitude: int, speed: float, direction: int,
                         time: _dt.datetime | None, msg_id: int | None = 0x0200) -> bytes:
    """The 28 bytes of a location basic part (user units in, wire units out)."""
    try:
        lat = round(latitude * 1e6)
        lng = round(longitude * 1e6)
        raw_speed = round(speed * 10)
    except (TypeError, ValueError, OverflowError) as exc:
        raise LocalProtocolError(f"latitude/longitude/speed must be numbers: {exc}",
                                 msg_id=msg_id, field="location") from exc
    if lat < 0:
        lat = -lat
        status |= STATUS_SOUTH
    if lng < 0:
        lng = -lng
        status |= STATUS_WEST
    values = (alarm_flag, status, lat, lng, altitude, raw_speed, direction)
    try:
        return _BASIC.pack(*values, _time_bcd(time))
    except (struct.error, TypeError):
        raise _basic_error(values, msg_id) from None
    except LocalProtocolError as exc:
        exc.msg_id = msg_id
        raise


def encode_location_basic(buf: Buffer, alarm_flag: int, status: int, latitude: float,
                          longitude: float, altitude: int, speed: float, direction: int,
                          time: _dt.datetime | None) -> None:
    """Push the 28-byte basic part onto ``buf``."""
    buf.push_bytes(location_basic_bytes(alarm_flag, status, latitude, longitude, altitude,
                                        speed, direction, time, buf.msg_id))


def _decode_basic(buf: Buffer, data, pos: int, end: int) -> tuple:
    if end - pos < 28:
        have = end - pos
        start, field = next(f for f in reversed(_BASIC_FIELDS) if f[0] <= have)
        raise TruncatedError(f"location basic part needs 28 bytes, {have} left",
                             msg_id=buf.msg_id, field=field, offset=pos + start)
    alarm, status, lat, lng, altitude, speed, direction, raw_time = _BASIC.unpack_from(data, pos)
    time = _TIME_CACHE.get(raw_time)
    if time is None:
        buf.pos = pos + 22
        time = pull_time(buf, "time")
    buf.pos = pos + 28
    latitude = -lat / 1e6 if status & STATUS_SOUTH else lat / 1e6
    longitude = -lng / 1e6 if status & STATUS_WEST else lng / 1e6
    return alarm, status, latitude, longitude, altitude, speed / 10, direction, time


def decode_location_basic(buf: Buffer) -> tuple:
    """Read the 28-byte basic part at ``buf.pos``: ``(alarm_flag, status, latitude,
    longitude, altitude, speed, direction, time)`` in user units."""
    return _decode_basic(buf, buf.data, buf.pos, len(buf.data))


@attrs.frozen(slots=True)
class LocationBasic:
    """The 28-byte basic location part alone (as carried inside 0x0801)."""

    alarm_flag: int
    status: int
    latitude: float
    longitude: float
    altitude: int
    speed: float
    direction: int
    time: _dt.datetime | None

    def encode_into(self, buf: Buffer) -> None:
        encode_location_basic(buf, *attrs.astuple(self, recurse=False))

    @classmethod
    def decode_from(cls, buf: Buffer) -> "LocationBasic":
        return cls(*decode_location_basic(buf))


def _decode_report(buf: Buffer, pos: int, end: int, version: Version) -> "LocationReport":
    data = buf.data
    basic = _decode_basic(buf, data, pos, end)
    if end <= pos + 28:
        extras = ()
    elif buf.strict or end != len(data):
        extras = decode_extras(data, pos + 28, end, buf.msg_id, version)
    else:       # tolerant, at the end of the body: a cut last item stays trailing bytes
        extras, stop = decode_extras_until(data, pos + 28, end, buf.msg_id, version)
        if stop < end:
            buf.quirk(f"extra item cut short ({end - stop} bytes left)", "extras", stop)
            end = stop
    buf.pos = end
    args = (*basic, extras)
    return _new_report(*args)


@register
@attrs.frozen(slots=True)
class LocationReport(Message):
    """0x0200 location report.

    ``alarm_flag``/``status``: DWORD bit sets (``ALARM_BITS``/``STATUS_BITS``);
    ``latitude``/``longitude``: signed degrees; ``altitude``: m (WORD, 0..65535 in every
    version); ``speed``: km/h (0.1); ``direction``: 0-359; ``time``: GMT+8 or None;
    ``extras``: typed extra items (``_extras``) in wire order.
    """

    MSG_ID: ClassVar[int] = 0x0200
    VERSIONS = ALL_VERSIONS
    alarm_flag: int
    status: int
    latitude: float
    longitude: float
    altitude: int
    speed: float
    direction: int
    time: _dt.datetime | None
    extras: tuple = ()

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_bytes(location_basic_bytes(
            self.alarm_flag, self.status, self.latitude, self.longitude, self.altitude,
            self.speed, self.direction, self.time, buf.msg_id)
            + encode_extras(self.extras, version))

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "LocationReport":
        return _decode_report(buf, buf.pos, len(buf.data), version)

    def extra(self, kind):
        """The first extra of ``kind`` (a class such as ``Mileage``, or an extra id), or None."""
        if isinstance(kind, int):
            for item in self.extras:
                if item.extra_id == kind:
                    return item
            return None
        for item in self.extras:
            if type(item) is kind:
                return item
        return None

    @property
    def basic(self) -> LocationBasic:
        return LocationBasic(self.alarm_flag, self.status, self.latitude, self.longitude,
                             self.altitude, self.speed, self.direction, self.time)


_new_report = LocationReport


@register
@attrs.frozen(slots=True)
class LocationQuery(EmptyBody):
    """0x8201: the platform asks for the current location (empty body)."""

    MSG_ID: ClassVar[int] = 0x8201


@attrs.frozen(slots=True)
class _ReplyWithLocation(Message):
    reply_serial: int
    location: LocationReport

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u16(self.reply_serial, "reply_serial")
        self.location.encode_into(buf, version)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version):
        reply_serial = buf.pull_u16("reply_serial")
        return cls(reply_serial, _decode_report(buf, buf.pos, len(buf.data), version))


@register
@attrs.frozen(slots=True)
class LocationQueryResponse(_ReplyWithLocation):
    """0x0201: answer to 0x8201: ``reply_serial`` of the query, then a 0x0200 body."""

    MSG_ID: ClassVar[int] = 0x0201


@register
@attrs.frozen(slots=True)
class VehicleControlResponse(_ReplyWithLocation):
    """0x0500: answer to 0x8500: ``reply_serial`` of the command, then a 0x0200 body."""

    MSG_ID: ClassVar[int] = 0x0500


@register
@attrs.frozen(slots=True)
class TemporaryTracking(Message):
    """0x8202: report every ``time_interval`` s (0 stops) for
    ``location_tracking_validity_period`` s."""

    MSG_ID: ClassVar[int] = 0x8202
    time_interval: int
    location_tracking_validity_period: int = 0
    #: "stop tracking" as the legal 2-byte body ``0000`` (2013 §8.21: the validity may
    #: be left out when the interval is 0); set by decode so it re-encodes as 2 bytes
    short: bool = attrs.field(default=False, eq=False, kw_only=True)

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u16(self.time_interval, "time_interval")
        if self.short and self.time_interval == 0 \
                and self.location_tracking_validity_period == 0:
            return
        buf.push_u32(self.location_tracking_validity_period, "location_tracking_validity_period")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "TemporaryTracking":
        interval = buf.pull_u16("time_interval")
        if interval == 0 and buf.eof():  # "stop tracking" may omit the validity
            return cls(0, 0, short=True)
        return cls(interval, buf.pull_u32("location_tracking_validity_period"))


@register
@attrs.frozen(slots=True)
class ManualAlarmConfirm(Message):
    """0x8203: confirm alarms by hand. ``alarm_msg_serial_no`` 0 means every message of
    those types; ``alarm_type`` bits: ``CONFIRMABLE_ALARM_BITS``."""

    MSG_ID: ClassVar[int] = 0x8203
    alarm_msg_serial_no: int
    alarm_type: int

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u16(self.alarm_msg_serial_no, "alarm_msg_serial_no")
        buf.push_u32(self.alarm_type, "alarm_type")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "ManualAlarmConfirm":
        return cls(buf.pull_u16("alarm_msg_serial_no"), buf.pull_u32("alarm_type"))

    def confirmed(self) -> dict[str, int]:
        """The seed's ``data`` keys: each confirmable alarm as 0/1."""
        return {name: (self.alarm_type >> bit) & 1
                for name, bit in CONFIRMABLE_ALARM_BITS.items()}


@register
@attrs.frozen(slots=True)
class VehicleControl(Message):
    """0x8500 in 2011/2013: ``control_flag`` BYTE (bit 0: 1 lock doors, 0 unlock)."""

    MSG_ID: ClassVar[int] = 0x8500
    VERSIONS = BEFORE_2019
    control_flag: int

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.control_flag, "control_flag")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "VehicleControl":
        return cls(buf.pull_u8("control_flag"))


#: 2019 control type id -> parameter width (0x0001 doors: 0 unlock, 1 lock).
_CONTROL_PARAM_WIDTHS = {0x0001: 1}


@attrs.frozen(slots=True)
class VehicleControlItem:
    """One 2019 control: ``id`` (0x0001 doors; 0xF001-0xFFFF vendor) and ``param``:
    an int for a known id, the raw bytes for any other."""

    id: int
    param: int | bytes


@register
@attrs.frozen(slots=True)
class VehicleControl2019(Message):
    """0x8500 in 2019: count WORD, then (id WORD, param) items.

    A vendor id's parameter length is not on the wire: it is only decodable as the last
    item (it takes the rest of the body)."""

    MSG_ID: ClassVar[int] = 0x8500
    VERSIONS = ONLY_2019
    data: tuple[VehicleControlItem, ...]

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u16(len(self.data), "count")
        for item in self.data:
            buf.push_u16(item.id, "id")
            width = _CONTROL_PARAM_WIDTHS.get(item.id)
            if width is not None and isinstance(item.param, int):
                buf.push_u8(item.param, "param")
            elif isinstance(item.param, (bytes, bytearray)):
                buf.push_bytes(bytes(item.param), width, "param")
            else:
                raise LocalProtocolError(f"param {item.param!r} of control 0x{item.id:04X} "
                                         "must be an int (known id) or bytes",
                                         msg_id=buf.msg_id, field="param")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "VehicleControl2019":
        count = buf.pull_u16("count")
        items = []
        for index in range(count):
            control_id = buf.pull_u16("id")
            width = _CONTROL_PARAM_WIDTHS.get(control_id)
            if width == 1:
                items.append(VehicleControlItem(control_id, buf.pull_u8("param")))
            elif index == count - 1:
                items.append(VehicleControlItem(control_id, buf.pull_rest()))
            else:
                raise RemoteProtocolError(f"control type 0x{control_id:04X} has no known "
                                          "parameter length and is not the last item",
                                          msg_id=buf.msg_id, field="id", offset=buf.pos - 2)
        return cls(tuple(items))


@register
@attrs.frozen(slots=True)
class LocationBatchReport(Message):
    """0x0704: ``location_type`` 0 normal batch, 1 blind-area supplement; ``items``:
    0x0200 bodies, each behind its length WORD."""

    MSG_ID: ClassVar[int] = 0x0704
    location_type: int
    items: tuple[LocationReport, ...]

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u16(len(self.items), "count")
        buf.push_u8(self.location_type, "location_type")
        for item in self.items:
            body = Buffer(msg_id=buf.msg_id)
            item.encode_into(body, version)
            raw = body.getvalue()
            buf.push_u16(len(raw), "item_length")
            buf.push_bytes(raw)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "LocationBatchReport":
        count = buf.pull_u16("count")
        location_type = buf.pull_u8("location_type")
        items = []
        for _ in range(count):
            length = buf.pull_u16("item_length")
            start = buf.pos
            if start + length > len(buf.data):
                raise TruncatedError(f"item needs {length} bytes, {len(buf.data) - start} left",
                                     msg_id=buf.msg_id, field="items", offset=start)
            items.append(_decode_report(buf, start, start + length, version))
        return cls(location_type, tuple(items))

