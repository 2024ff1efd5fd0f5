"""smallchi.jsonl records of the text, area/route and recorder/driver/CAN messages.

Source: ``tests/vectors/smallchi.jsonl`` (unit tests of the C# codec SmallChi/JT808);
each test id is the record id. For every ``decode``/``encode`` record of our message ids
(none of them is ``extension``/``smallchi_specific``):

* ``decode``: the body decodes (scope frame: unpack + decode), the asserted C# fields
  match our attributes through ``_NAMES`` (C# property -> our attribute) and
  ``_LEAF`` (how to compare a value), and the message re-encodes byte-exact;
* ``encode``: the message built from the record's fields (unset fields: the C#
  defaults) encodes to the asserted hex.

Documented differences (the ``_EXCEPTIONS`` table): smallchi's encoder pads fixed-width
strings of 0x0702 at the front (the standard pads at the end), so those encode records
are checked as decode records (fields compared with the leading NULs removed) and their
hex is not what we send; 0x0608 query type 5 is not a standard query type, we keep its
count and raw data. 0x8608/0x0608 exist only in 2019: records labelled with the default
version 2013 are run as 2019. The GB/T 19056 block of 0x0700/0x8700/0x8701 and the
waybill content of 0x0701 are bytes to us: their inner C# fields are not compared
(beyond the block's command word) and encode records take those bytes from the hex.
"""
from __future__ import annotations

import datetime as dt
import re

import attrs
import pytest

from jt808.codec import MESSAGES, decode, decode_body, encode_body
from jt808.codec import _areas as areas
from jt808.codec import _records as records
from jt808.codec import _text as text
from jt808.frame import Version, unpack

from conformance_support import record_ids, standard_records

MSG_IDS = {
    0x8300, 0x8301, 0x0301, 0x8302, 0x0302, 0x8303, 0x0303, 0x8304, 0x8400, 0x8401,
    0x8600, 0x8601, 0x8602, 0x8603, 0x8604, 0x8605, 0x8606, 0x8607, 0x8608, 0x0608,
    0x8700, 0x0700, 0x8701, 0x0701, 0x0702, 0x8702, 0x0705,
}
_VERSIONS = {"2011": Version.V2011, "2013": Version.V2013, "2019": Version.V2019}

_FRONT_PADDED = "smallchi's encoder pads fixed-width strings at the front; JT/T 808 pads at the end"
_EXCEPTIONS = {
    "SmallChi/JT808:JT808_0x0702Test.cs::Test3": _FRONT_PADDED,
    "SmallChi/JT808:JT808_0x0702Test.cs::Test_2019_1": _FRONT_PADDED,
    "SmallChi/JT808:JT808_0x0702Test.cs::Test_2019_4": _FRONT_PADDED,
    "SmallChi/JT808:JT808_0x0702Test.cs::Test2011_1": _FRONT_PADDED,
    "SmallChi/JT808:JT808_0x0608Test.cs::Test1": "query type 5 is not standard: count + raw data",
}

# C# property -> our attribute, per message id (None: any message); first match wins
_NAMES: dict[int | None, dict[str, str]] = {
    0x0303: {"Flag": "onoff"},
    0x8304: {"InformationLength": "content"},
    0x8400: {"CallBack": "flag", "PhoneNumber": "phone_number"},
    0x8601: {"AreaCount": "area_ids"},
    0x8603: {"AreaCount": "area_ids"},
    0x8605: {"AreaCount": "area_ids"},
    0x8607: {"AreaIds": "route_ids", "AreaCount": "route_ids"},
    0x8608: {"Count": "ids"},
    0x0608: {"Count": "items", "Ids": "data"},
    0x0700: {"ReplyMsgNum": "reply_serial", "CommandId": "cmd_word"},
    0x0701: {"ElectronicWaybillLength": "data"},
    None: {
        "TextFlag": "flag", "TextInfo": "text", "TextType": "text_type",
        "EventId": "event_id", "SettingType": "set_type", "SettingCount": "events",
        "EventItems": "events", "EventContent": "content", "EventContentLength": "content",
        "AnswerId": "answer_id", "ReplySNo": "reply_serial", "Flag": "flag",
        "Issue": "question", "IssueContentLength": "question", "Answers": "answers",
        "Id": "answer_id", "Content": "content", "ContentLength": "content",
        "InformationType": "info_type", "InformationItems": "infos",
        "InformationName": "name", "InformationLength": "name",
        "InformationContent": "content",
        "SettingTelephoneBook": "set_type", "ContactCount": "contacts",
        "JT808ContactProperties": "contacts", "TelephoneBookContactType": "call_type",
        "PhoneNumber": "phone", "Contact": "name",
        "SettingAreaProperty": "set_attr", "AreaCount": "areas", "AreaItems": "areas",
        "AreaId": "area_id", "AreaProperty": "attributes", "AreaIds": "area_ids",
        "CenterPointLat": "center_latitude", "CenterPointLng": "center_longitude",
        "Radius": "radius", "StartTime": "start_time", "EndTime": "end_time",
        "HighestSpeed": "speed_limit", "OverspeedDuration": "over_speed_time",
        "NightMaximumSpeed": "night_speed_limit", "AreaName": "area_name",
        "UpLeftPointLat": "upper_left_latitude", "UpLeftPointLng": "upper_left_longitude",
        "LowRightPointLat": "lower_right_latitude",
        "LowRightPointLng": "lower_right_longitude",
        "PeakItems": "points", "Lat": "latitude", "Lng": "longitude",
        "RouteId": "route_id", "RouteProperty": "attributes", "RouteName": "route_name",
        "InflectionPointItems": "points", "InflectionPointId": "turning_point_id",
        "InflectionPointLat": "turning_point_latitude",
        "InflectionPointLng": "turning_point_longitude", "SectionId": "road_section_id",
        "SectionWidth": "road_section_width", "SectionProperty": "attributes",
        "SectionLongDrivingThreshold": "driving_too_long_time_limit",
        "SectionDrivingUnderThreshold": "insufficient_travel_time_limit",
        "SectionHighestSpeed": "speed_limit", "SectionOverspeedDuration": "over_speed_time",
        "QueryType": "query_type", "Ids": "ids",
        "JT808_0x8600s": "items", "JT808_0x8602s": "items", "JT808_0x8604s": "items",
        "JT808_0x8606s": "items",
        "CommandId": "cmd_word",
        "IC_Card_Status": "status", "IC_Card_PlugDateTime": "time",
        "IC_Card_ReadResult": "ic_read_result", "DriverUserName": "driver_name",
        "QualificationCode": "qualification_certificate_code",
        "LicenseIssuing": "issuing_agency_name",
        "CertificateExpiresDate": "certificate_validity",
        "DriverIdentityCard": "driver_id_number", "FaceMatchValue": "extra", "UID": "extra",
        "CanItemCount": "items", "FirstCanReceiveTime": "receive_time", "CanItems": "items",
        "CanId": "can_id", "CanData": "can_data",
    },
}

# C# properties that are counts or lengths of a sibling: compare len(); build: skip
_LENGTHS = {
    "SettingCount", "EventContentLength", "IssueContentLength", "ContentLength",
    "InformationLength", "ContactCount", "AreaCount", "Count", "CanItemCount",
    "ElectronicWaybillLength",
}
_DEGREES = {
    "CenterPointLat", "CenterPointLng", "UpLeftPointLat", "UpLeftPointLng",
    "LowRightPointLat", "LowRightPointLng", "Lat", "Lng", "InflectionPointLat",
    "InflectionPointLng",
}
_FIXED_STRINGS = {"QualificationCode", "DriverIdentityCard"}
# inner fields of bytes we do not parse (GB/T 19056 block, waybill content)
_OPAQUE = ("JT808CarDVRUpPackage.", "JT808CarDVRDownPackage.", "ElectronicContentObj.")

# (parent class, C# list) -> item class, for building messages from fields
_ITEM_CLASSES = {
    (text.EventSetting, "EventItems"): text.EventItem,
    (text.QuestionIssue, "Answers"): text.AnswerItem,
    (text.InfoMenuSetting, "InformationItems"): text.InfoItem,
    (text.PhoneBookSetting, "JT808ContactProperties"): text.Contact,
    (areas.SetCircleArea, "AreaItems"): areas.CircleArea,
    (areas.SetRectangleArea, "AreaItems"): areas.RectangleArea,
    (areas.SetPolygonArea, "PeakItems"): areas.Point,
    (areas.SetRoute, "InflectionPointItems"): areas.RoutePoint,
    (areas.QueryAreaRouteResponse, "JT808_0x8600s"): areas.SetCircleArea,
    (areas.QueryAreaRouteResponse, "JT808_0x8602s"): areas.SetRectangleArea,
    (areas.QueryAreaRouteResponse, "JT808_0x8604s"): areas.SetPolygonArea,
    (areas.QueryAreaRouteResponse, "JT808_0x8606s"): areas.SetRoute,
    (records.CanBusDataUpload, "CanItems"): records.CanItem,
}
# bytes after the fixed head of these bodies are opaque to us (taken from the hex)
_OPAQUE_TAIL = {0x8700: ("cmd_data", 1), 0x8701: ("cmd_data", 1), 0x0700: ("cmd_data", 3),
                0x0701: ("data", 4)}

_SEGMENT = re.compile(r"([A-Za-z0-9_]+)(?:\[(\d+)\])?")


def _version(record: dict) -> Version:
    version = _VERSIONS[record["version"]]
    if (version, record["msg_id"]) not in MESSAGES and record["version_source"] == "default":
        return Version.V2019   # 0x8608/0x0608 exist only in 2019
    return version


def _body(record: dict) -> bytes:
    data = bytes.fromhex(record["hex"])
    return unpack(data).body if record["scope"] == "frame" else data


def _our_name(msg_id: int, name: str) -> str:
    return _NAMES.get(msg_id, {}).get(name) or _NAMES[None][name]


def _cs_value(name: str, value):
    """The C# value in our units."""
    if isinstance(value, dict):
        if "$bytes" in value:
            return bytes.fromhex(value["$bytes"])
        stamp = value.get("$datetime") or value.get("$time")
        if name == "FirstCanReceiveTime":
            return dt.time.fromisoformat(stamp.split(" ")[-1] + "000")
        parsed = dt.datetime.fromisoformat(stamp)
        return parsed.date() if name == "CertificateExpiresDate" else parsed
    if name in _DEGREES:
        return value / 1_000_000
    return value


def _strip(value):
    return value.lstrip("\x00") if isinstance(value, str) else value


def _resolve(message, msg_id: int, path: str):
    """Our value for the C# ``path``, in the C# representation, or ``_SKIP``."""
    if path.startswith(_OPAQUE):
        if path.endswith("Package.CommandId"):
            return message.cmd_data[2]
        if path.endswith("Package.Begin"):
            return int.from_bytes(message.cmd_data[:2], "big")
        return _SKIP
    path = re.sub(r"\.(Value|Count\(\))$", lambda m: ".Count" if "Count" in m.group(0) else "",
                  path)
    to_string = re.search(r"\.ToString\(\"(.*)\"\)$", path)
    if to_string:
        path = path[:to_string.start()]
    obj, leaf = message, None
    for name, index in _SEGMENT.findall(path):
        if name == "Count" and leaf is not None:   # PeakItems.Count
            return len(obj)
        leaf = name
        obj = getattr(obj, _our_name(msg_id, name))
        if index:
            obj = _index(obj, msg_id, name, int(index))
    return _compare_form(obj, msg_id, leaf, to_string)


def _index(obj, msg_id: int, name: str, index: int):
    if msg_id == 0x0608 and name == "Ids":
        return int.from_bytes(obj[index * 4:index * 4 + 4], "big")
    return obj[index]


def _compare_form(value, msg_id: int, leaf: str, to_string):
    if leaf in _LENGTHS:
        if msg_id == 0x0608 and leaf == "Count" and isinstance(value, tuple) and not value:
            return _SKIP
        return len(value.encode("gbk")) if isinstance(value, str) else len(value)
    if leaf == "FaceMatchValue":
        return value[0]
    if leaf == "UID":
        return value[1:].decode("gbk").lstrip("\x00")
    if leaf in _FIXED_STRINGS:
        return _strip(value)
    if leaf == "NightMaximumSpeed":   # a non-nullable 0 in C# when the speed bit is clear
        return value or 0
    if leaf in _DEGREES:
        return round(value * 1_000_000)
    if to_string:
        fmt = to_string.group(1).replace("yyyy", "%Y").replace("MM", "%m").replace(
            "dd", "%d").replace("HH", "%H").replace("mm", "%M").replace("ss", "%S")
        return value.strftime(fmt)
    return value


_SKIP = object()


def _expected(name: str, value):
    if isinstance(value, dict) and ("$datetime" in value or "$time" in value):
        return _cs_value(name, value)
    if isinstance(value, dict) and "$bytes" in value:
        return bytes.fromhex(value["$bytes"])
    return value


def _check_fields(message, record: dict) -> None:
    for path, value in record["fields"].items():
        ours = _resolve(message, record["msg_id"], path)
        if ours is _SKIP:
            continue
        leaf = _SEGMENT.findall(path.split(".ToString")[0])[-1][0]
        if record["msg_id"] == 0x0608 and path == "Count":
            ours = message.count if message.count is not None else len(message.items)
        assert ours == _expected(leaf, value), f"{path}: ours {ours!r}, C# {value!r}"


# -- building a message from C# fields ------------------------------------------------

def _nest(fields: dict) -> dict:
    tree: dict = {}
    for path, value in fields.items():
        if path.startswith(_OPAQUE):
            continue
        node = tree
        parts = _SEGMENT.findall(path)
        for name, index in parts[:-1]:
            node = node.setdefault(name, {})
            if index:
                node = node.setdefault(int(index), {})
        name, index = parts[-1]
        if index:
            node.setdefault(name, {})[int(index)] = value
        else:
            node[name] = value
    return tree


_DEFAULTS = {"int": 0, "float": 0.0, "str": "", "bytes": b""}


def _build(cls, tree: dict, msg_id: int):
    kwargs = {}
    for name, value in tree.items():
        if name in _LENGTHS:
            continue
        ours = _our_name(msg_id, name)
        item_class = _ITEM_CLASSES.get((cls, name))
        if item_class is not None:
            kwargs[ours] = tuple(_build(item_class, value[i], msg_id) for i in sorted(value))
        elif isinstance(value, dict) and all(isinstance(k, int) for k in value):
            kwargs[ours] = tuple(value[i] for i in sorted(value))
        else:
            kwargs[ours] = _cs_value(name, value)
    for field in attrs.fields(cls):
        if field.name not in kwargs and field.default is attrs.NOTHING:
            kwargs[field.name] = _DEFAULTS[str(field.type).split("[")[0].split(" ")[0]]
    if cls is areas.QueryAreaRouteResponse:
        kwargs.pop("data", None)
    return cls(**kwargs)


def _build_message(record: dict, body: bytes, version: Version):
    msg_id = record["msg_id"]
    cls = MESSAGES[(version, msg_id)]
    tree = _nest(record["fields"])
    if msg_id in _OPAQUE_TAIL:
        attr, head = _OPAQUE_TAIL[msg_id]
        tree = {k: v for k, v in tree.items() if k != "ElectronicContentObj"}
        message = _build(cls, tree, msg_id)
        return attrs.evolve(message, **{attr: body[head:]})
    return _build(cls, tree, msg_id)


# -- the tests ------------------------------------------------------------------------

_ALL = standard_records(MSG_IDS, ("decode", "encode"))


def _decode(record: dict, version: Version):
    data = bytes.fromhex(record["hex"])
    if record["scope"] == "frame":
        return decode(unpack(data), version)
    return decode_body(record["msg_id"], data, version)


@pytest.mark.parametrize("record", _ALL, ids=record_ids(_ALL))
def test_record(record: dict) -> None:
    version = _version(record)
    body = _body(record)
    if record["test_kind"] == "decode" or record["id"] in _EXCEPTIONS:
        message = _decode(record, version)
        assert encode_body(message, version) == body
        _check_fields(message, record)
        return
    message = _build_message(record, body, version)
    assert encode_body(message, version).hex().upper() == body.hex().upper()


def test_every_message_id_has_a_record() -> None:
    assert {r["msg_id"] for r in _ALL} == MSG_IDS - {0x8702}
