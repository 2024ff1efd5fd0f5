"""Conformance of the location messages to the SmallChi vectors (``tests/vectors``).

Every ``smallchi.jsonl`` record of 0x0200, 0x0201, 0x0500, 0x0704, 0x8201, 0x8202,
0x8203 and 0x8500 that is neither ``extension`` nor ``smallchi_specific`` runs here,
by record id. ``decode`` records: the asserted fields match through ``FIELDS`` (C# name
-> our value in wire units). ``encode`` records list every field the C# test set (the
rest are zero), so "decodes to exactly those fields and re-encodes to the asserted
hex" is the same check as building the message from them. Everything re-encodes byte
for byte. ``DEVIATIONS`` lists the records where the standard and SmallChi part ways.
"""
from __future__ import annotations

import re

import pytest

from jt808.codec import decode_body, encode, encode_body
from jt808.codec._extras import RawExtra
from jt808.errors import RemoteProtocolError, TruncatedError
from jt808.frame import Header, Version, header_size, pack, unescape

from conformance_support import record_ids, standard_records

MSG_IDS = {0x0200, 0x0201, 0x0500, 0x0704, 0x8201, 0x8202, 0x8203, 0x8500}

RECORDS = standard_records(MSG_IDS)
RECORD_IDS = record_ids(RECORDS)

# -- C# name -> our value (wire units, as the vectors hold them) ---------------------------


def _tenths(value: float) -> int:
    return round(value * 10)


def _time(value) -> dict | None:
    return None if value is None else {"$datetime": value.strftime("%Y-%m-%d %H:%M:%S")}


def _micro(value: float) -> int:
    """The wire magnitude: the sign is in the status bits (asserted as StatusFlag)."""
    return round(abs(value) * 1e6)


# attribute of LocationReport -> converter
REPORT_FIELDS = {
    "AlarmFlag": ("alarm_flag", int), "StatusFlag": ("status", int),
    "Lat": ("latitude", _micro), "Lng": ("longitude", _micro),
    "Altitude": ("altitude", int), "Speed": ("speed", _tenths),
    "Direction": ("direction", int), "GPSTime": ("time", _time),
}
# BasicLocationAttachData[0xNN].Name -> (our attribute, converter)
EXTRA_FIELDS = {
    (0x01, "Mileage"): ("km", _tenths), (0x02, "Oil"): ("liters", _tenths),
    (0x03, "Speed"): ("kmh", _tenths), (0x04, "EventId"): ("event_id", int),
    (0x11, "AreaId"): ("area_segment_id", int), (0x11, "JT808PositionType"): ("loc_type", int),
    (0x12, "AreaId"): ("area_segment_id", int), (0x12, "JT808PositionType"): ("loc_type", int),
    (0x12, "Direction"): ("direction", int), (0x13, "DrivenRoute"): ("result", int),
    (0x13, "DrivenRouteId"): ("road_id", int), (0x13, "Time"): ("travel_time", int),
    (0x25, "CarSignalStatus"): ("flags", int), (0x2A, "IOStatus"): ("flags", int),
    (0x2B, "Analogs[0]"): ("ad1", int), (0x2B, "Analogs[1]"): ("ad0", int),
    (0x30, "WiFiSignalStrength"): ("level", int), (0x31, "GNSSCount"): ("count", int),
}
# C# names of other messages -> attribute path
MESSAGE_FIELDS = {
    "ReplyMsgNum": "reply_serial", "MsgNum": "reply_serial",
    "Interval": "time_interval", "LocationTrackingValidity": "location_tracking_validity_period",
    "AlarmMsgNum": "alarm_msg_serial_no", "ManualConfirmAlarmType": "alarm_type",
    "ControlFlag": "control_flag", "Count": None, "LocationType": "location_type",
    "ControlTypeCount": None,
}
# prefixes under which a C# message holds its 0x0200 body
LOCATION_PREFIXES = {"Position.": "location", "JT808_0x0200.": "location"}
# custom/unknown attach data: SmallChi's user-registered types are raw items for us
RAW_PATH = re.compile(r"^(Custom\w*|Unknown\w*)\[0x([0-9A-F]{2})\](\.(\w+))?$")

_TRUNCATED_DEVICE = ("truncated", "real-device capture (frame_ok false) whose last extra runs "
                     "past the body: SmallChi keeps the tail as 'exception' data, and so does "
                     "our tolerant default (issue 11: '.trailing', quirk named); strict=True "
                     "raises TruncatedError naming the extra and offset")
_CUSTOM_WORD = ("truncated", "SmallChi custom attach type with a WORD id/length (0xDD, 0xDE); "
                "the standard's extras have a BYTE id and a BYTE length, so read the "
                "standard's way the item runs past the body: strict=True refuses it, the "
                "tolerant default keeps it whole in '.trailing' (issue 11)")
_CUSTOM_DWORD = ("custom", "SmallChi custom attach type 0x62 with a DWORD length: we read the "
                 "standard's BYTE length, so the items differ (still byte exact)")
_CUSTOM_MIX = ("custom", "mix of SmallChi custom attach types (WORD id/length 0xDD/0xDE, DWORD "
               "length 0x62): read with the standard's BYTE id/length they give other raw "
               "items (still byte exact)")
# record id -> (kind, why we do not conform); the test checks we differ the way described
DEVIATIONS = {
    "SmallChi/JT808:JT808_0x0200Test.cs::Test8": _TRUNCATED_DEVICE,
    "SmallChi/JT808:JT808_0x0200Test.cs::Test_Device_AttachInfo1_1": _TRUNCATED_DEVICE,
    "SmallChi/JT808:JT808_0x0200Test.cs::Test_Device_AttachInfo2_1": _TRUNCATED_DEVICE,
    "SmallChi/JT808:JT808_0x0201Test.cs::Test4": _TRUNCATED_DEVICE,
    "SmallChi/JT808:JT808_0x0704Test.cs::Test4": (
        "truncated", "real-device capture (frame_ok false): the second item's length WORD "
        "says 233 bytes, 229 are left (a batch item, not an extra: refused in both modes)"),
    "SmallChi/JT808:Demo11.cs::Test1": (
        "truncated", "same capture as JT808_0x0704Test.cs::Test4"),
    "SmallChi/JT808:Demo10.cs::Test1_2_2": _CUSTOM_WORD,
    "SmallChi/JT808:Demo10.cs::Test2_2_2": _CUSTOM_WORD,
    "SmallChi/JT808:Demo10.cs::Test1_2_1": _CUSTOM_WORD,
    "SmallChi/JT808:Demo10.cs::Test2_2_1": _CUSTOM_WORD,
    "SmallChi/JT808:Demo10.cs::Test_Mix_1": _CUSTOM_MIX,
    "SmallChi/JT808:Demo10.cs::Test_Mix_2": _CUSTOM_MIX,
    "SmallChi/JT808:Demo10.cs::Test1_1_4": _CUSTOM_DWORD,
    "SmallChi/JT808:Demo10.cs::Test2_1_4": _CUSTOM_DWORD,
    "SmallChi/JT808:JT808_0x0200Test.cs::LatLngTest1_2": (
        "sign", "two's-complement latitude/longitude with no S/W bit (SmallChi convention, as its "
        "LatTest records): we read the standard's unsigned magnitude"),
    "SmallChi/JT808:JT808_0x0200Test.cs::LatLngTest2_2": (
        "sign", "two's-complement latitude/longitude with no S/W bit (SmallChi convention)"),
    "SmallChi/JT808:JT808_0x0200Test.cs::LatLngTest1_1": (
        "sign", "negative Lat/Lng written as two's complement (SmallChi convention); the "
        "standard writes magnitudes: 00BA7F0E07E4F11C"),
    "SmallChi/JT808:JT808_0x0200Test.cs::LatLngTest2_1": (
        "sign", "negative Lat/Lng written as two's complement (SmallChi convention)"),
}


def _body(record: dict) -> tuple[bytes, Version, Header | None]:
    version = Version(int(record["version"]))
    raw = bytes.fromhex(record["hex"])
    if record["scope"] == "body":
        return raw, version, None
    content = unescape(raw[1:-1])
    header, _ = Header.decode(content[:-1], version)
    start = header_size(version is Version.V2019, header.packet is not None)
    return content[start:-1], version, header  # whatever the length field says


def _value(message, path: str):
    """Our value, in the vector's units, for the C# path ``path`` (KeyError: not mapped)."""
    for prefix, attr in LOCATION_PREFIXES.items():
        if path.startswith(prefix):
            return _value(getattr(message, attr), path[len(prefix):])
    match = re.match(r"^Positions\[(\d+)\]\.(.+)$", path)
    if match:
        return _value(message.items[int(match.group(1))], match.group(2))
    if path in REPORT_FIELDS:
        attr, convert = REPORT_FIELDS[path]
        return convert(getattr(message, attr))
    match = re.match(r"^BasicLocationAttachData\[0x([0-9A-F]{2})\]\.(.+)$", path)
    if match:
        extra_id = int(match.group(1), 16)
        attr, convert = EXTRA_FIELDS[extra_id, match.group(2)]
        return convert(getattr(message.extra(extra_id), attr))
    match = RAW_PATH.match(path)
    if match:
        extra_id = int(match.group(2), 16)
        if match.group(1).startswith("Unknown"):  # the whole item; the last of that id
            item = [x for x in message.extras if x.extra_id == extra_id][-1]
            return {"$bytes": item.extra_bytes().hex().upper()}
        item = message.extra(extra_id)
        assert isinstance(item, RawExtra), path
        name = match.group(4)
        if name == "AttachInfoId":
            return item.extra_id
        if name == "AttachInfoLength":
            return len(item.data)
        if name in (None, "TestValue", "Data"):
            return {"$bytes": item.data.hex().upper()}
        raise KeyError(path)  # a field of a custom structure: not ours to read
    if path in MESSAGE_FIELDS and MESSAGE_FIELDS[path]:
        return getattr(message, MESSAGE_FIELDS[path])
    if path in ("Count", "Positions.Count()"):
        return len(message.items)
    if path == "ControlTypeCount":
        return len(message.data)
    match = re.match(r"^ControlTypes\[(\d+)\]\.ControlType(Id|Parameter)$", path)
    if match:
        item = message.data[int(match.group(1))]
        if match.group(2) == "Id":
            return item.id
        return item.param if isinstance(item.param, int) else int.from_bytes(item.param, "big")
    raise KeyError(path)


UNMAPPED = re.compile(r"(\.Count\(\)$|^BasicLocationAttachData$|\.Count$|^BasicLocationAttachData"
                      r"\[0x07\]|^ExceptionLocationAttachOriginalData|^ErrorRemainPositions"
                      r"|^CustomLocationAttachData\w*$)")


@pytest.mark.parametrize("record", RECORDS, ids=RECORD_IDS)
def test_record(record):
    body, version, header = _body(record)
    if record["id"] in DEVIATIONS:
        _check_deviation(record, body, version)
        return
    message = decode_body(record["msg_id"], body, version)
    assert encode_body(message, version) == body
    if header is not None and record.get("frame_ok"):
        frame = encode(message, phone=header.phone, serial=header.serial, version=version,
                       packet=header.packet)
        assert pack(frame).hex().upper() == record["hex"]
    if record["test_kind"] not in ("decode", "encode", "encode_listed"):
        return
    for path, want in record["fields"].items():
        try:
            got = _value(message, path)
        except KeyError:
            assert UNMAPPED.search(path) or RAW_PATH.match(path), f"unmapped field {path}"
            continue
        assert got == want, path


def _check_deviation(record: dict, body: bytes, version: Version) -> None:
    kind, _why = DEVIATIONS[record["id"]]
    if kind == "truncated":
        _check_truncated(record, body, version)
        return
    message = decode_body(record["msg_id"], body, version)
    if kind == "custom":
        assert encode_body(message, version) == body
        assert all(isinstance(item, RawExtra) for item in message.extras[2:])
        return
    assert encode_body(message, version) == body  # still byte exact
    lat = record["fields"].get("Lat")
    assert lat is not None and lat < 0
    assert _value(message, "Lat") != lat  # we read the standard's magnitude


def _check_truncated(record: dict, body: bytes, version: Version) -> None:
    """Strict: ``TruncatedError`` naming the field and offset. Tolerant (issue 11): a cut
    last extra is kept from that offset in ``.trailing``, the extras before it decode, the
    quirk is named and the body re-encodes byte for byte."""
    with pytest.raises(TruncatedError) as info:
        decode_body(record["msg_id"], body, version, strict=True)
    assert info.value.field and info.value.offset is not None
    if record["msg_id"] == 0x0704:       # a batch item, not an extra: unreadable either way
        with pytest.raises(TruncatedError):
            decode_body(record["msg_id"], body, version)
        return
    message = decode_body(record["msg_id"], body, version)
    offset = info.value.offset
    assert message.trailing == body[offset:]
    assert (f"extra item cut short ({len(body) - offset} bytes left) ('extras' at offset "
            f"{offset})") in message.quirks
    assert encode_body(message, version) == body
    report = getattr(message, "location", message)
    for path, want in record["fields"].items():
        match = RAW_PATH.match(path)
        if match:       # SmallChi's custom item (WORD id) is the cut one, kept whole
            assert int(match.group(2), 16) not in {x.extra_id for x in report.extras}
            _check_cut_custom_item(message.trailing, match.group(4), want)
        elif path == "ExceptionLocationAttachOriginalData.Count()":
            assert want == 1 and message.trailing
        else:
            try:
                got = _value(message, path)
            except KeyError:
                assert UNMAPPED.search(path), f"unmapped field {path}"
                continue
            assert got == want, path


def _check_cut_custom_item(trailing: bytes, name: str | None, want) -> None:
    """SmallChi's custom item as kept: id WORD, its length (WORD or BYTE), then the value."""
    if name == "AttachInfoId":
        assert trailing[:2] == want.to_bytes(2, "big")
    elif name == "AttachInfoLength":
        assert int.from_bytes(trailing[2:len(trailing) - want], "big") == want
    else:
        assert trailing.endswith(bytes.fromhex(want["$bytes"])), name


def test_some_records_present():
    assert len(RECORDS) >= 40
