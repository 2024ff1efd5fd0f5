"""The seed's shapes (QuecPython ``jtt808`` API reference, §3 and §4) <-> typed messages.

Pure functions: no I/O, no event loop, no clock. ``JTT808`` (``_facade.py``) converts its
arguments with the ``*_from_seed`` helpers, and hands its callback what
:func:`callback_args` returns: ``{"header": {...}, "data": {...}}`` with, for every
platform message §4 lists, exactly the keys and value types of that message's "Message
body data" table. The tables are spelled here as the reference spells them (including
its ``terminal_firmware_verion`` and ``concat_user``). Messages §4 does not list (replies
to our own requests, 0x8003, 0x8800...) get their fields as they are in the codec.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Callable, TypeVar

import attrs

from ..codec import (DownlinkPassThrough, EventSetting, InfoMenuSetting, InfoService,
                     LocationBasic, LocationReport, ManualAlarmConfirm, Message,
                     PhoneBookSetting, PlatformRsaKey, QuestionIssue, RawMessage,
                     SetCircleArea, SetPolygonArea, SetRectangleArea, SetRoute,
                     SetTerminalParams, StoredMediaSearch, StoredMediaUpload,
                     TerminalControl, TextMessage, UpgradePackage, VehicleControl,
                     VehicleControl2019, decode_body, decode_extras, encode_body)
from ..errors import JT808Error, LocalProtocolError
from ..frame import Header, Version

__all__ = [
    "seed_time", "alarm_flags", "location_from_seed", "basic_location_from_seed",
    "can_time_from_seed", "data_bytes", "can_bytes", "fit_widths", "area_items_from_seed",
    "header_dict", "callback_data", "callback_args", "TIME_FORMAT",
]

log = logging.getLogger("jt808.terminal")

#: §4 times (0x8600-0x8606 start/end, 0x8802/0x8803): ``YYMMDDhhmmss``, "" when absent
TIME_FORMAT = "%y%m%d%H%M%S"


# -- arguments in (§3) ---------------------------------------------------------------------

def seed_time(value: Any) -> dt.datetime | None:
    """The seed's ``YYMMDDhhmmss`` string (GMT+8), or a datetime as it is."""
    if value is None or isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.strptime(str(value), TIME_FORMAT)
    except ValueError:
        raise LocalProtocolError(f"time {value!r} is not YYMMDDhhmmss", field="time") from None


def alarm_flags(value: Any) -> int:
    """``LocAlarmWarningConfig().value()`` is a tuple whose first item is the flags."""
    return int(value[0]) if isinstance(value, (tuple, list)) else int(value)


def _extras(hex_text: str | None) -> tuple:
    try:
        raw = bytes.fromhex(hex_text or "")
    except (TypeError, ValueError):
        raise LocalProtocolError(f"loc_additional_info {hex_text!r} is not hex",
                                 field="loc_additional_info") from None
    return decode_extras(raw, 0, len(raw))


def location_from_seed(alarm_flag: Any, loc_status: Any, latitude: Any, longitude: Any,
                       altitude: Any, speed: Any, direction: Any, time: Any,
                       loc_additional_info: str | None = "") -> LocationReport:
    """A ``LocationReport`` from the reference's "Location information table" tuple."""
    return LocationReport(alarm_flags(alarm_flag), int(loc_status), float(latitude),
                          float(longitude), int(altitude), float(speed), int(direction),
                          seed_time(time), _extras(loc_additional_info))


def basic_location_from_seed(loc_data: Any) -> LocationBasic:
    """A ``LocationBasic`` from the location tuple (its extras, if any, are ignored)."""
    report = location_from_seed(*tuple(loc_data)[:8])
    return LocationBasic(report.alarm_flag, report.status, report.latitude, report.longitude,
                         report.altitude, report.speed, report.direction, report.time)


def can_time_from_seed(value: Any) -> dt.time:
    """The seed's ``hhmmssmsms`` (milliseconds in the last four digits; the reference's
    example pads with spaces, read as zeros)."""
    if isinstance(value, dt.time):
        return value
    digits = str(value).replace(" ", "0")
    try:
        return dt.time(int(digits[0:2]), int(digits[2:4]), int(digits[4:6]),
                       int(digits[6:10] or 0) * 1000)
    except ValueError:
        raise LocalProtocolError(f"recive_time {value!r} is not hhmmssmsms",
                                 field="recive_time") from None


def data_bytes(value: Any, field: str) -> bytes:
    """A data argument: bytes-like as it is; a str (the reference documents ``data`` of
    0x0900 and 0x0901 as str, e.g. ``"123456"``) as the bytes of its text in GBK, the
    standard's character set (so ``"123456"`` is sent as ``b"123456"``, not as hex)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        try:
            return value.encode("gbk")
        except UnicodeEncodeError as exc:
            raise LocalProtocolError(f"{field} {value[:16]!r} is not GBK text",
                                     field=field) from exc
    raise LocalProtocolError(f"{field} must be bytes or str, got {type(value).__name__}",
                             field=field)


def can_bytes(value: Any) -> bytes:
    """CAN data: bytes as they are, a str as its GBK bytes, zero-padded to 8 bytes."""
    data = data_bytes(value, "can_data")
    if len(data) > 8:
        raise LocalProtocolError(f"can_data has {len(data)} bytes, a CAN frame holds 8",
                                 field="can_data")
    return data.ljust(8, b"\x00")


#: the fixed-width strings of 0x0100 and 0x0107 a seed program may pass too wide
_CUT_FIELDS = ("manufacturer_id", "terminal_model", "terminal_id")


_M = TypeVar("_M", bound=Message)


def fit_widths(message: _M, version: Version) -> tuple[_M, list[str]]:
    """Cut the fixed-width strings of a 0x0100 or 0x0107 to ``version``'s widths, as the
    seed does (a 15-digit IMEI as the 7-byte 2013 terminal id keeps its first 7 digits).

    Returns the message that fits and one line per cut field (for a WARNING). The
    codec is asked, not a copy of its widths: a field is shortened one character at a
    time while the encoder refuses it. Other errors (an id that is not a number...)
    propagate as the codec's ``LocalProtocolError``."""
    cuts: list[str] = []
    while True:
        try:
            encode_body(message, version)
            return message, cuts
        except LocalProtocolError as exc:
            field = exc.field
            value = getattr(message, field, None) if field in _CUT_FIELDS else None
            if not value or field is None:
                raise
        original = value
        while value:
            value = value[:-1]
            # every Message subclass is an attrs class, the base (and so _M's bound) is not
            message = attrs.evolve(message, **{field: value})  # type: ignore[misc]
            try:
                encode_body(message, version)
                break
            except LocalProtocolError as exc:
                if exc.field != field:
                    break
        cuts.append(f"{field} {original!r} cut to {value!r} (the {int(version)} width)")


#: 0x0608 query type -> the message whose body is one item (§3
#: query_area_route_data_response, "data source: ... source_body")
AREA_SET_IDS = {1: 0x8600, 2: 0x8602, 3: 0x8604, 4: 0x8606}


def area_items_from_seed(query_type: Any, data: Any, version: Version) -> tuple[Message, ...]:
    """The items of a 0x0608 from the seed's ``data``: a list whose elements are the
    ``source_body`` hex strings the callback handed over, bytes of such a body, or
    message objects. Anything else (the reference's own example passes
    ``(info_type, onoff)`` = ``(5, 1)``) is a ``LocalProtocolError`` naming the field."""
    set_id = AREA_SET_IDS.get(query_type) if isinstance(query_type, int) else None
    if set_id is None:
        raise LocalProtocolError(f"query_type must be 1-4 (circle, rectangle, polygon, route),"
                                 f" got {query_type!r}", msg_id=0x0608, field="query_type")
    if isinstance(data, (str, bytes, bytearray)) or not isinstance(data, (list, tuple)):
        raise LocalProtocolError(
            f"data must be a list of source_body values (hex str or bytes of a 0x{set_id:04X}"
            f" body, from the callback) or message objects, got {data!r}",
            msg_id=0x0608, field="data")
    return tuple(_area_item(set_id, item, version) for item in data)


def _area_item(set_id: int, item: Any, version: Version) -> Message:
    if isinstance(item, Message):
        return item
    if isinstance(item, str):
        try:
            item = bytes.fromhex(item)
        except ValueError:
            raise LocalProtocolError(f"data item {item[:24]!r} is not a hex source_body",
                                     msg_id=0x0608, field="data") from None
    if not isinstance(item, (bytes, bytearray)):
        raise LocalProtocolError(f"data item {item!r} is not a source_body (hex str or bytes)"
                                 " or a message object", msg_id=0x0608, field="data")
    try:
        return decode_body(set_id, bytes(item), version)
    except JT808Error as exc:
        raise LocalProtocolError(f"data item is not a 0x{set_id:04X} body: {exc}",
                                 msg_id=0x0608, field="data") from exc


# -- callback out (§3 set_callback, §4) -----------------------------------------------------

def _body(message: Message, version: Version) -> bytes:
    try:
        return encode_body(message, version)
    except JT808Error:                       # a raw or quirky message: no re-encoding
        return getattr(message, "body", b"")


def header_dict(header: Header, body_length: int) -> dict[str, Any]:
    """§3 set_callback "header": the properties word is the one the header encodes."""
    raw = header._replace(version_flag=None).encode(min(body_length, 0x3FF))
    total, index = header.packet or (0, 0)
    return {"message_id": header.msg_id, "properties": int.from_bytes(raw[2:4], "big"),
            "protocol_version": header.protocol_version if header.is_2019 else 0,
            "client_id": header.phone, "serial_no": header.serial,
            "package_total": total, "package_no": index}


def callback_args(message: Message, header: Header) -> dict[str, Any]:
    """What the seed's callback receives for ``message`` under ``header``."""
    body = _body(message, header.version)
    return {"header": header_dict(header, len(body)),
            "data": callback_data(message, header.version, body)}


def callback_data(message: Message, version: Version, body: bytes | None = None
                  ) -> dict[str, Any]:
    """§4 "Message body data" of ``message`` (``body``: its bytes, for ``source_body``)."""
    shape = _SHAPES.get(message.msg_id)
    if shape is not None and isinstance(message, RawMessage):
        message = _older_layout(message)
    if shape is not None and not isinstance(message, RawMessage):
        if body is None:
            body = _body(message, version)
        return shape(message, version, body)
    if isinstance(message, RawMessage):
        return {"data": message.body}
    return _plain(message) if attrs.has(type(message)) else {}


def _older_layout(message: RawMessage) -> Message:
    """Receive tolerantly: a message 2019 deleted (0x8301-0x8304) that a platform still
    sends under a 2019 header is read with its 2013 layout, which 2019 did not change;
    bytes that do not fit it stay raw."""
    try:
        return decode_body(message.msg_id, message.body, Version.V2013)
    except JT808Error:
        return message


def _plain(value: Any) -> Any:
    if attrs.has(type(value)):
        return {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(type(value))}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value


def _time(value: dt.datetime | None) -> str:
    return value.strftime(TIME_FORMAT) if value is not None else ""


def _bits(value: int, table: dict[str, int]) -> dict[str, int]:
    return {name: (value >> bit) & 1 for name, bit in table.items()}


_TEXT_FLAG_BITS = {"terminal_display": 2, "terminal_tts_broadcast_and_read": 3,
                   "flag_msg_type": 5}
_QUESTION_FLAG_BITS = {"emergency": 0, "terminal_tts_broadcast_and_read": 3,
                       "advertising_screen_display": 4}
#: 0x8203 alarm type bits (2013 table 31 / 2019 table 36)
_CONFIRM_BITS = {
    "emergency_alarm": 0, "hazard_alarm": 3, "in_out_area_alarm": 20, "in_out_road_alarm": 21,
    "insufficient_or_too_long_travel_time_on_the_road_alarm": 22,
    "vehicle_illegal_ignition_alarm": 27, "vehicle_illegal_displacement_alarm": 28,
}
#: §4 "Regional Attribute Table" (area attribute WORD, 2013 table 57)
_AREA_BITS = {
    "time_limit_enable": 0, "speed_limit_enable": 1, "alert_driver_when_entering_area": 2,
    "alert_platform_when_entering_area": 3, "alert_driver_when_leaving_area": 4,
    "alert_platform_when_leaving_area": 5, "latitude_direction": 6, "longitude_direction": 7,
    "open_the_door_enable": 8, "communication_module_enable_when_entering_area": 14,
    "gnss_enable_when_entering_area": 15,
}
#: §4 "Route Attribute Table" (route attribute WORD, 2013 table 62)
_ROUTE_BITS = {
    "time_limit_enable": 0, "alert_driver_when_entering_area": 2,
    "alert_platform_when_entering_area": 3, "alert_driver_when_leaving_area": 4,
    "alert_platform_when_leaving_area": 5,
}
#: §4 "Line Segment Attribute Table" (section attribute BYTE, 2013 table 64)
_SECTION_BITS = {"driving_time_limit_enable": 0, "speed_limit_enable": 1,
                 "latitude_direction": 2, "longitude_direction": 3}
#: §4 0x8105: these parameters are documented as str (ports and the time limit)
_CONTROL_STR_KEYS = {"tcp_port", "udp_port", "conn_timeout"}


def _params(m: SetTerminalParams, v: Version, body: bytes) -> dict[str, Any]:
    return {"params": [(p.param_id, p.value) for p in m.params]}


def _control(m: TerminalControl, v: Version, body: bytes) -> dict[str, Any]:
    params = {k: str(x) if k in _CONTROL_STR_KEYS else x for k, x in m.parsed.items()}
    return {"cmd_word": m.cmd_word, "cmd_params": params}


def _upgrade(m: UpgradePackage, v: Version, body: bytes) -> dict[str, Any]:
    return {"upgrade_type": str(m.upgrade_type), "manufacturer_id": m.manufacturer_id,
            "terminal_firmware_verion": m.firmware_version,
            "upgrade_package": m.upgrade_package}


def _confirm(m: ManualAlarmConfirm, v: Version, body: bytes) -> dict[str, Any]:
    return {"alarm_msg_serial_no": m.alarm_msg_serial_no, **_bits(m.alarm_type, _CONFIRM_BITS)}


def _text(m: TextMessage, v: Version, body: bytes) -> dict[str, Any]:
    return {"flag_type": m.flag & 0x03, **_bits(m.flag, _TEXT_FLAG_BITS),
            "msg_type": m.text_type if v is Version.V2019 else 0, "message": m.text}


def _events(m: EventSetting, v: Version, body: bytes) -> dict[str, Any]:
    return {"set_type": m.set_type,
            "events": [{"id": e.event_id, "data": e.content} for e in m.events]}


def _question(m: QuestionIssue, v: Version, body: bytes) -> dict[str, Any]:
    return {"flag": _bits(m.flag, _QUESTION_FLAG_BITS), "question_info": m.question,
            "answers": [{"id": a.answer_id, "data": a.content} for a in m.answers]}


def _menu(m: InfoMenuSetting, v: Version, body: bytes) -> dict[str, Any]:
    return {"set_type": m.set_type,
            "infos": [{"type": i.info_type, "name": i.name} for i in m.infos]}


def _info(m: InfoService, v: Version, body: bytes) -> dict[str, Any]:
    return {"info_type": m.info_type, "info_data": m.content}


def _phonebook(m: PhoneBookSetting, v: Version, body: bytes) -> dict[str, Any]:
    return {"set_type": m.set_type,
            "phonebook": [{"call_type": c.call_type, "phone": c.phone, "concat_user": c.name}
                          for c in m.contacts]}


def _vehicle_control(m: VehicleControl | VehicleControl2019, v: Version, body: bytes) -> dict[str, Any]:
    if hasattr(m, "control_flag"):           # 2011/2013: one flag byte, bit 0 the doors
        return {"data": [{"id": 0x0001, "param": m.control_flag & 1}]}
    return {"data": [{"id": item.id, "param": item.param} for item in m.data]}


def _area_common(area: Any) -> dict[str, Any]:
    return {"start_time": _time(area.start_time), "end_time": _time(area.end_time),
            "speed_limit": area.speed_limit or 0, "over_speed_time": area.over_speed_time or 0}


def _circle(area: Any) -> dict[str, Any]:
    return {"area_id": area.area_id, "attributes": _bits(area.attributes, _AREA_BITS),
            "center_latitude": area.center_latitude, "center_longitude": area.center_longitude,
            "radius": area.radius, **_area_common(area),
            "night_speed_limit": area.night_speed_limit or 0, "area_name": area.area_name}


def _rectangle(area: Any) -> dict[str, Any]:
    return {"area_id": area.area_id, "attributes": _bits(area.attributes, _AREA_BITS),
            "upper_left_latitude": area.upper_left_latitude,
            "upper_left_longitude": area.upper_left_longitude,
            "lower_right_latitude": area.lower_right_latitude,
            "lower_right_longitude": area.lower_right_longitude, **_area_common(area),
            "night_speed_limit": area.night_speed_limit or 0, "area_name": area.area_name}


def _areas(item_shape: Callable[[Any], dict]) -> Callable[..., dict[str, Any]]:
    def shape(m: SetCircleArea | SetRectangleArea, v: Version, body: bytes
              ) -> dict[str, Any]:
        return {"set_attr": m.set_attr, "area_data": [item_shape(a) for a in m.areas],
                "source_body": body.hex()}
    return shape


def _polygon(m: SetPolygonArea, v: Version, body: bytes) -> dict[str, Any]:
    common = _area_common(m)
    area = {"area_id": m.area_id, "attributes": _bits(m.attributes, _AREA_BITS),
            "start_time": common["start_time"], "end_time": common["end_time"],
            "speed_limit": common["speed_limit"], "over_speed_time": common["over_speed_time"],
            "point_location": [{"latitude": p.latitude, "longitude": p.longitude}
                               for p in m.points],
            "night_speed_limit": m.night_speed_limit or 0, "area_name": m.area_name}
    return {"area_data": area, "source_body": body.hex()}


def _turning_point(p: Any) -> dict[str, Any]:
    return {"turning_point_id": p.turning_point_id, "road_section_id": p.road_section_id,
            "turning_point_latitude": p.turning_point_latitude,
            "turning_point_longitude": p.turning_point_longitude,
            "road_section_width": p.road_section_width,
            "attributes": _bits(p.attributes, _SECTION_BITS),
            "driving_too_long_time_limit": _or(p.driving_too_long_time_limit, -1),
            "insufficient_travel_time_limit": _or(p.insufficient_travel_time_limit, -1),
            "speed_limit": p.speed_limit or 0, "over_speed_time": p.over_speed_time or 0,
            "night_speed_limit": p.night_speed_limit or 0}


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _route(m: SetRoute, v: Version, body: bytes) -> dict[str, Any]:
    route = {"route_id": m.route_id, "attributes": _bits(m.attributes, _ROUTE_BITS),
             "start_time": _time(m.start_time), "end_time": _time(m.end_time),
             "turning_points": [_turning_point(p) for p in m.points],
             "route_name": m.route_name}
    return {"area_data": route, "source_body": body.hex()}


def _delete(ids_key: str, field: str) -> Callable[..., dict[str, Any]]:
    def shape(m: Message, v: Version, body: bytes) -> dict[str, Any]:
        ids = list(getattr(m, field))
        return {"all": 0 if ids else 1, ids_key: ids}
    return shape


def _media_search(m: StoredMediaSearch | StoredMediaUpload, v: Version, body: bytes) -> dict[str, Any]:
    data = {"media_type": m.media_type, "channel_id": m.channel_id,
            "event_code": m.event_code, "start_time": _time(m.start_time),
            "end_time": _time(m.end_time)}
    if hasattr(m, "delete_flag"):
        data["delete_flag"] = m.delete_flag
    return data


def _pass_through(m: DownlinkPassThrough, v: Version, body: bytes) -> dict[str, Any]:
    return {"data_type": m.data_type, "data": m.data.hex()}


def _rsa(m: PlatformRsaKey, v: Version, body: bytes) -> dict[str, Any]:
    return {"e": m.e, "n": m.n.hex().upper()}


def _fields(*names: str) -> Callable[..., dict[str, Any]]:
    def shape(m: Message, v: Version, body: bytes) -> dict[str, Any]:
        return {name: _plain(getattr(m, name)) for name in names}
    return shape


_EMPTY = _fields()

#: §4, one row per message it lists: msg id -> (message, version, body) -> data dict
#: (each takes the message class of its id, hence ``...``)
_SHAPES: dict[int, Callable[..., dict[str, Any]]] = {
    0x8103: _params, 0x8104: _EMPTY, 0x8105: _control, 0x8106: _fields("param_ids"),
    0x8107: _EMPTY, 0x8108: _upgrade, 0x8201: _EMPTY,
    0x8202: _fields("time_interval", "location_tracking_validity_period"),
    0x8203: _confirm, 0x8204: _EMPTY, 0x8300: _text, 0x8301: _events, 0x8302: _question,
    0x8303: _menu, 0x8304: _info, 0x8400: _fields("flag", "phone_number"),
    0x8401: _phonebook, 0x8500: _vehicle_control,
    0x8600: _areas(_circle), 0x8601: _delete("area_ids", "area_ids"),
    0x8602: _areas(_rectangle), 0x8603: _delete("area_ids", "area_ids"),
    0x8604: _polygon, 0x8605: _delete("area_ids", "area_ids"), 0x8606: _route,
    0x8607: _delete("route_ids", "route_ids"), 0x8608: _fields("query_type", "ids"),
    0x8700: _fields("cmd_word", "cmd_data"), 0x8701: _fields("cmd_word", "cmd_data"),
    0x8702: _EMPTY,
    0x8801: _fields("channel_id", "shooting_order", "working_time", "save_flag",
                    "resolution", "quality", "brightness", "contrast", "saturation", "chroma"),
    0x8802: _media_search, 0x8803: _media_search,
    0x8804: _fields("recording_cmd", "recording_time", "save_flag", "audio_sample_rate"),
    0x8805: _fields("media_id", "delete_flag"), 0x8900: _pass_through, 0x8A00: _rsa,
}
