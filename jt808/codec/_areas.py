"""Areas and routes: set, delete, query (0x8600-0x8608, 0x0608).

JT/T 808-2013 §8.27-8.34 (tables 55-65), 2019 §8.29-8.37. Latitudes and longitudes are
degrees (DWORD of 1e-6 degree on the wire, unsigned: south/west are attribute bits 6/7 of
an area, bits 2/3 of a route section). Times are BCD[6] ``YYMMDDhhmmss`` (``datetime``,
``None`` for six zero bytes). Optional fields follow the attribute bits: bit 0 start/end
time, bit 1 maximum speed + overspeed duration (2019: + night maximum speed); a field
whose bit is clear is not sent and decodes as ``None``; a set bit with a ``None`` value
sends 0. 2019 adds the area/route name (length WORD, STRING) and 0x8608/0x0608.
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, ClassVar

import attrs

from ..errors import LocalProtocolError
from ..frame import Buffer, Version
from ._base import ALL_VERSIONS, ONLY_2019, Message, pull_time, push_time, register

__all__ = [
    "CircleArea", "SetCircleArea", "DeleteCircleArea", "RectangleArea", "SetRectangleArea",
    "DeleteRectangleArea", "Point", "SetPolygonArea", "DeletePolygonArea", "RoutePoint",
    "SetRoute", "DeleteRoute", "QueryAreaRoute", "QueryAreaRouteResponse",
]

TIME_BIT = 0x0001    # area/route attribute bit 0: start and end time present
SPEED_BIT = 0x0002   # area attribute bit 1 / section bit 1: speed limit fields present
SECTION_TIME_BIT = 0x01  # route section attribute bit 0: driving time thresholds present


# -- field helpers ---------------------------------------------------------------------

def _push_degrees(buf: Buffer, value: float, field: str) -> None:
    try:
        raw = round(value * 1_000_000)
    except (TypeError, ValueError, OverflowError) as exc:
        raise LocalProtocolError(f"{value!r} is not a number of degrees", msg_id=buf.msg_id,
                                 field=field) from exc
    buf.push_u32(raw, field)


def _pull_degrees(buf: Buffer, field: str) -> float:
    return buf.pull_u32(field) / 1_000_000


def _push_window(buf: Buffer, attributes: int, start: _dt.datetime | None,
                 end: _dt.datetime | None) -> None:
    if attributes & TIME_BIT:
        push_time(buf, start, "start_time")
        push_time(buf, end, "end_time")


def _pull_window(buf: Buffer, attributes: int) -> tuple[_dt.datetime | None, _dt.datetime | None]:
    if attributes & TIME_BIT:
        return pull_time(buf, "start_time"), pull_time(buf, "end_time")
    return None, None


def _push_speed(buf: Buffer, bits: int, speed: int | None, duration: int | None) -> None:
    if bits & SPEED_BIT:
        buf.push_u16(speed or 0, "speed_limit")
        buf.push_u8(duration or 0, "over_speed_time")


def _pull_speed(buf: Buffer, bits: int) -> tuple[int | None, int | None]:
    if bits & SPEED_BIT:
        return buf.pull_u16("speed_limit"), buf.pull_u8("over_speed_time")
    return None, None


def _push_night(buf: Buffer, version: Version, bits: int, night: int | None) -> None:
    if version is Version.V2019 and bits & SPEED_BIT:
        buf.push_u16(night or 0, "night_speed_limit")


def _pull_night(buf: Buffer, version: Version, bits: int) -> int | None:
    if version is Version.V2019 and bits & SPEED_BIT:
        return buf.pull_u16("night_speed_limit")
    return None


def _push_name(buf: Buffer, version: Version, name: str, field: str) -> None:
    if version is Version.V2019:
        buf.push_gbk_u16len(name, field)


def _pull_name(buf: Buffer, version: Version, field: str) -> str:
    return buf.pull_gbk_u16len(field) if version is Version.V2019 else ""


def _push_area_tail(buf: Buffer, version: Version, area) -> None:
    """Time window, speed limit, 2019 night limit and name of a circle or rectangle."""
    bits = area.attributes
    _push_window(buf, bits, area.start_time, area.end_time)
    _push_speed(buf, bits, area.speed_limit, area.over_speed_time)
    _push_night(buf, version, bits, area.night_speed_limit)
    _push_name(buf, version, area.area_name, "area_name")


def _pull_area_tail(buf: Buffer, version: Version, bits: int) -> tuple:
    """Inverse of :func:`_push_area_tail`: start, end, speed, duration, night, name."""
    start, end = _pull_window(buf, bits)
    speed, duration = _pull_speed(buf, bits)
    night = _pull_night(buf, version, bits)
    return start, end, speed, duration, night, _pull_name(buf, version, "area_name")


def _push_ids(buf: Buffer, ids: tuple[int, ...], count_field: str, push_count) -> None:
    push_count(len(ids), count_field)
    for value in ids:
        buf.push_u32(value, "ids")


def _pull_ids(buf: Buffer, count: int) -> tuple[int, ...]:
    if count * 4 > buf.remaining:
        buf.pull_bytes(count * 4, "ids")  # raises TruncatedError naming the field
    return tuple(buf.pull_u32("ids") for _ in range(count))


# -- circle (0x8600) -------------------------------------------------------------------

@attrs.frozen(slots=True)
class CircleArea:
    """One circular area of 0x8600 (table 57)."""

    area_id: int
    attributes: int
    center_latitude: float
    center_longitude: float
    radius: int
    start_time: _dt.datetime | None = None
    end_time: _dt.datetime | None = None
    speed_limit: int | None = None
    over_speed_time: int | None = None
    night_speed_limit: int | None = None
    area_name: str = ""

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u32(self.area_id, "area_id")
        buf.push_u16(self.attributes, "attributes")
        _push_degrees(buf, self.center_latitude, "center_latitude")
        _push_degrees(buf, self.center_longitude, "center_longitude")
        buf.push_u32(self.radius, "radius")
        _push_area_tail(buf, version, self)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "CircleArea":
        area_id = buf.pull_u32("area_id")
        bits = buf.pull_u16("attributes")
        lat = _pull_degrees(buf, "center_latitude")
        lon = _pull_degrees(buf, "center_longitude")
        radius = buf.pull_u32("radius")
        return cls(area_id, bits, lat, lon, radius, *_pull_area_tail(buf, version, bits))


@attrs.frozen(slots=True)
class _SetAreas(Message):
    """Shared layout of 0x8600 and 0x8602: set_attr BYTE, count BYTE, areas (of ``ITEM``)."""

    ITEM: ClassVar[type[Any]]
    set_attr: int
    areas: tuple = ()

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.set_attr, "set_attr")
        buf.push_u8(len(self.areas), "areas")
        for area in self.areas:
            if not isinstance(area, self.ITEM):
                raise LocalProtocolError(f"{area!r} is not a {self.ITEM.__name__}",
                                         msg_id=buf.msg_id, field="areas")
            area.encode_into(buf, version)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version):
        set_attr = buf.pull_u8("set_attr")
        count = buf.pull_u8("area_count")
        return cls(set_attr, tuple(cls.ITEM.decode_from(buf, version) for _ in range(count)))


@register
@attrs.frozen(slots=True)
class SetCircleArea(_SetAreas):
    """0x8600: set circular areas; ``set_attr`` 0 update, 1 append, 2 modify."""

    MSG_ID: ClassVar[int] = 0x8600
    VERSIONS = ALL_VERSIONS
    ITEM: ClassVar[type] = CircleArea


# -- rectangle (0x8602) ----------------------------------------------------------------

_CORNERS = ("upper_left_latitude", "upper_left_longitude",
            "lower_right_latitude", "lower_right_longitude")

@attrs.frozen(slots=True)
class RectangleArea:
    """One rectangular area of 0x8602 (table 60)."""

    area_id: int
    attributes: int
    upper_left_latitude: float
    upper_left_longitude: float
    lower_right_latitude: float
    lower_right_longitude: float
    start_time: _dt.datetime | None = None
    end_time: _dt.datetime | None = None
    speed_limit: int | None = None
    over_speed_time: int | None = None
    night_speed_limit: int | None = None
    area_name: str = ""

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u32(self.area_id, "area_id")
        buf.push_u16(self.attributes, "attributes")
        for name in _CORNERS:
            _push_degrees(buf, getattr(self, name), name)
        _push_area_tail(buf, version, self)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "RectangleArea":
        area_id = buf.pull_u32("area_id")
        bits = buf.pull_u16("attributes")
        top, left, bottom, right = [_pull_degrees(buf, name) for name in _CORNERS]
        return cls(area_id, bits, top, left, bottom, right, *_pull_area_tail(buf, version, bits))


@register
@attrs.frozen(slots=True)
class SetRectangleArea(_SetAreas):
    """0x8602: set rectangular areas; ``set_attr`` 0 update, 1 append, 2 modify."""

    MSG_ID: ClassVar[int] = 0x8602
    VERSIONS = ALL_VERSIONS
    ITEM: ClassVar[type] = RectangleArea


# -- polygon (0x8604) ------------------------------------------------------------------

@attrs.frozen(slots=True)
class Point:
    """A polygon vertex: latitude, longitude in degrees."""

    latitude: float
    longitude: float


@register
@attrs.frozen(slots=True)
class SetPolygonArea(Message):
    """0x8604: set one polygonal area (table 62); 2019 puts the night maximum speed and
    the name after the vertices."""

    MSG_ID: ClassVar[int] = 0x8604
    VERSIONS = ALL_VERSIONS
    area_id: int
    attributes: int
    points: tuple[Point, ...] = ()
    start_time: _dt.datetime | None = None
    end_time: _dt.datetime | None = None
    speed_limit: int | None = None
    over_speed_time: int | None = None
    night_speed_limit: int | None = None
    area_name: str = ""

    def encode_into(self, buf: Buffer, version: Version) -> None:
        bits = self.attributes
        buf.push_u32(self.area_id, "area_id")
        buf.push_u16(bits, "attributes")
        _push_window(buf, bits, self.start_time, self.end_time)
        _push_speed(buf, bits, self.speed_limit, self.over_speed_time)
        buf.push_u16(len(self.points), "points")
        for point in self.points:
            _push_degrees(buf, point.latitude, "latitude")
            _push_degrees(buf, point.longitude, "longitude")
        _push_night(buf, version, bits, self.night_speed_limit)
        _push_name(buf, version, self.area_name, "area_name")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "SetPolygonArea":
        area_id = buf.pull_u32("area_id")
        bits = buf.pull_u16("attributes")
        start, end = _pull_window(buf, bits)
        speed, duration = _pull_speed(buf, bits)
        count = buf.pull_u16("point_count")
        points = tuple(Point(_pull_degrees(buf, "latitude"), _pull_degrees(buf, "longitude"))
                       for _ in range(count))
        night = _pull_night(buf, version, bits)
        return cls(area_id, bits, points, start, end, speed, duration, night,
                   _pull_name(buf, version, "area_name"))


# -- route (0x8606) --------------------------------------------------------------------

@attrs.frozen(slots=True)
class RoutePoint:
    """One turning point of 0x8606 and the section that starts there (table 65).

    ``attributes`` bits: 0 driving time thresholds present, 1 speed limit present,
    2 south latitude, 3 west longitude.
    """

    turning_point_id: int
    road_section_id: int
    turning_point_latitude: float
    turning_point_longitude: float
    road_section_width: int
    attributes: int
    driving_too_long_time_limit: int | None = None
    insufficient_travel_time_limit: int | None = None
    speed_limit: int | None = None
    over_speed_time: int | None = None
    night_speed_limit: int | None = None

    def encode_into(self, buf: Buffer, version: Version) -> None:
        bits = self.attributes
        buf.push_u32(self.turning_point_id, "turning_point_id")
        buf.push_u32(self.road_section_id, "road_section_id")
        _push_degrees(buf, self.turning_point_latitude, "turning_point_latitude")
        _push_degrees(buf, self.turning_point_longitude, "turning_point_longitude")
        buf.push_u8(self.road_section_width, "road_section_width")
        buf.push_u8(bits, "attributes")
        if bits & SECTION_TIME_BIT:
            buf.push_u16(self.driving_too_long_time_limit or 0, "driving_too_long_time_limit")
            buf.push_u16(self.insufficient_travel_time_limit or 0,
                         "insufficient_travel_time_limit")
        _push_speed(buf, bits, self.speed_limit, self.over_speed_time)
        _push_night(buf, version, bits, self.night_speed_limit)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "RoutePoint":
        point_id = buf.pull_u32("turning_point_id")
        section_id = buf.pull_u32("road_section_id")
        lat = _pull_degrees(buf, "turning_point_latitude")
        lon = _pull_degrees(buf, "turning_point_longitude")
        width = buf.pull_u8("road_section_width")
        bits = buf.pull_u8("attributes")
        too_long = too_short = None
        if bits & SECTION_TIME_BIT:
            too_long = buf.pull_u16("driving_too_long_time_limit")
            too_short = buf.pull_u16("insufficient_travel_time_limit")
        speed, duration = _pull_speed(buf, bits)
        night = _pull_night(buf, version, bits)
        return cls(point_id, section_id, lat, lon, width, bits, too_long, too_short,
                   speed, duration, night)


@register
@attrs.frozen(slots=True)
class SetRoute(Message):
    """0x8606: set one route (table 63). ``attributes`` bits: 0 start/end time present,
    2-5 enter/leave alarms to driver/platform."""

    MSG_ID: ClassVar[int] = 0x8606
    VERSIONS = ALL_VERSIONS
    route_id: int
    attributes: int
    points: tuple[RoutePoint, ...] = ()
    start_time: _dt.datetime | None = None
    end_time: _dt.datetime | None = None
    route_name: str = ""

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u32(self.route_id, "route_id")
        buf.push_u16(self.attributes, "attributes")
        _push_window(buf, self.attributes, self.start_time, self.end_time)
        buf.push_u16(len(self.points), "points")
        for point in self.points:
            point.encode_into(buf, version)
        _push_name(buf, version, self.route_name, "route_name")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "SetRoute":
        route_id = buf.pull_u32("route_id")
        bits = buf.pull_u16("attributes")
        start, end = _pull_window(buf, bits)
        count = buf.pull_u16("point_count")
        points = tuple(RoutePoint.decode_from(buf, version) for _ in range(count))
        return cls(route_id, bits, points, start, end, _pull_name(buf, version, "route_name"))


# -- deletes (0x8601, 0x8603, 0x8605, 0x8607) ------------------------------------------

@attrs.frozen(slots=True)
class _DeleteAreas(Message):
    """count BYTE | ids DWORD[count]; no ids (count 0) deletes every area of the kind."""

    area_ids: tuple[int, ...] = ()

    def encode_into(self, buf: Buffer, version: Version) -> None:
        _push_ids(buf, self.area_ids, "area_ids", buf.push_u8)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version):
        return cls(_pull_ids(buf, buf.pull_u8("area_count")))


@register
@attrs.frozen(slots=True)
class DeleteCircleArea(_DeleteAreas):
    """0x8601: delete circular areas (none listed: all)."""

    MSG_ID: ClassVar[int] = 0x8601


@register
@attrs.frozen(slots=True)
class DeleteRectangleArea(_DeleteAreas):
    """0x8603: delete rectangular areas (none listed: all)."""

    MSG_ID: ClassVar[int] = 0x8603


@register
@attrs.frozen(slots=True)
class DeletePolygonArea(_DeleteAreas):
    """0x8605: delete polygonal areas (none listed: all)."""

    MSG_ID: ClassVar[int] = 0x8605


@register
@attrs.frozen(slots=True)
class DeleteRoute(Message):
    """0x8607: delete routes (none listed: all)."""

    MSG_ID: ClassVar[int] = 0x8607
    route_ids: tuple[int, ...] = ()

    def encode_into(self, buf: Buffer, version: Version) -> None:
        _push_ids(buf, self.route_ids, "route_ids", buf.push_u8)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "DeleteRoute":
        return cls(_pull_ids(buf, buf.pull_u8("route_count")))


# -- query (0x8608, 0x0608; 2019) ------------------------------------------------------

#: query type -> the message whose body each item of 0x0608 repeats
QUERY_ITEM_CLASSES: dict[int, type[Message]] = {
    1: SetCircleArea, 2: SetRectangleArea, 3: SetPolygonArea, 4: SetRoute,
}


@register
@attrs.frozen(slots=True)
class QueryAreaRoute(Message):
    """0x8608 (2019): ``query_type`` 1 circle, 2 rectangle, 3 polygon, 4 route;
    count DWORD, ids DWORD[count] (none: all of the type)."""

    MSG_ID: ClassVar[int] = 0x8608
    VERSIONS = ONLY_2019
    query_type: int
    ids: tuple[int, ...] = ()

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.query_type, "query_type")
        _push_ids(buf, self.ids, "ids", buf.push_u32)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "QueryAreaRoute":
        query_type = buf.pull_u8("query_type")
        return cls(query_type, _pull_ids(buf, buf.pull_u32("count")))


@register
@attrs.frozen(slots=True)
class QueryAreaRouteResponse(Message):
    """0x0608 (2019): query type BYTE, count DWORD, then ``count`` bodies of 0x8600,
    0x8602, 0x8604 or 0x8606 (by query type) as message objects in ``items``.

    An unknown query type keeps ``count`` and the bytes after it in ``data``.
    """

    MSG_ID: ClassVar[int] = 0x0608
    VERSIONS = ONLY_2019
    query_type: int
    items: tuple[Message, ...] = ()
    count: int | None = None
    data: bytes = b""

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.query_type, "query_type")
        item_class = QUERY_ITEM_CLASSES.get(self.query_type)
        if item_class is None:
            buf.push_u32(len(self.items) if self.count is None else self.count, "count")
            buf.push_bytes(self.data)
            return
        buf.push_u32(len(self.items), "count")
        for item in self.items:
            if not isinstance(item, item_class):
                raise LocalProtocolError(f"query type {self.query_type} needs "
                                         f"{item_class.__name__} items, got {item!r}",
                                         msg_id=buf.msg_id, field="items")
            item.encode_into(buf, version)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "QueryAreaRouteResponse":
        query_type = buf.pull_u8("query_type")
        count = buf.pull_u32("count")
        item_class = QUERY_ITEM_CLASSES.get(query_type)
        if item_class is None:
            return cls(query_type, (), count, buf.pull_rest())
        if count > buf.remaining:  # every item is at least one byte long
            buf.pull_bytes(count, "items")  # raises TruncatedError naming the field
        return cls(query_type, tuple(item_class.decode_from(buf, version)
                                     for _ in range(count)))
