"""The same message in the other versions: SmallChi records replayed where the standard
gives the body one layout, and hand-made vectors where it does not.

Most SmallChi records are 2013. JT/T 808-2011, -2013 and -2019 keep most bodies as they
were; what changes is in jt808-notes' "Versions" table (0x0100, 0x0102, 0x8003/0x0005,
0x0801/0x0802 in 2011, 0x0107, 0x8300, 0x8500, the area messages, 0x0702, 0x8108's
maker width). ``SAME_LAYOUT`` lists, per id, the versions in which a record's bytes must
decode to the very message they decode to in the record's own version and re-encode to
the same bytes: a version branch added by mistake fails here. ``VECTORS`` holds the
bodies that differ (or that no record has), written from the standard's layout.
"""
from __future__ import annotations

import pytest

from jt808.codec import (DriverIdentityRequest, LocationQuery, Point, QueryTerminalProperties,
                         RectangleArea, SetPolygonArea, SetRectangleArea, UpgradePackage,
                         decode_body, encode_body)
from jt808.errors import JT808Error, RemoteProtocolError
from jt808.frame import Version, unpack

from conformance_support import standard_records

V11, V13, V19 = Version.V2011, Version.V2013, Version.V2019
_VERSIONS = {"2011": V11, "2013": V13, "2019": V19}

#: msg_id -> versions whose body layout is the one of the records (2013)
SAME_LAYOUT: dict[int, set[Version]] = {
    0x0104: {V11, V19}, 0x0108: {V11, V19}, 0x0200: {V11}, 0x0201: {V11, V19},
    0x0301: {V11}, 0x0302: {V11}, 0x0303: {V11}, 0x0500: {V11, V19}, 0x0700: {V11, V19},
    0x0701: {V11, V19}, 0x0704: {V11, V19}, 0x0705: {V11}, 0x0800: {V11, V19},
    0x0801: {V19}, 0x0802: {V19}, 0x0900: {V11, V19}, 0x0901: {V11, V19},
    0x8103: {V11, V19}, 0x8104: {V11}, 0x8105: {V11, V19}, 0x8106: {V11, V19},
    0x8108: {V11}, 0x8202: {V11, V19}, 0x8203: {V11, V19}, 0x8301: {V11}, 0x8302: {V11},
    0x8303: {V11}, 0x8304: {V11}, 0x8400: {V11, V19}, 0x8401: {V11}, 0x8500: {V11},
    0x8600: {V11}, 0x8601: {V11, V19}, 0x8602: {V11}, 0x8603: {V11, V19}, 0x8604: {V11},
    0x8605: {V19}, 0x8606: {V11}, 0x8607: {V11, V19}, 0x8700: {V11, V19}, 0x8701: {V11},
    0x8801: {V11, V19}, 0x8802: {V19}, 0x8803: {V11, V19}, 0x8804: {V11, V19},
    0x8900: {V11, V19}, 0x8A00: {V11},
}


def _body(record: dict) -> bytes:
    data = bytes.fromhex(record["hex"])
    return unpack(data).body if record["scope"] == "frame" else data


def _decodes(record: dict) -> bool:
    """Records that do not decode in their own version as the standard says (strict) are
    the other modules' business (each lists them with the reason, and what the tolerant
    default reads); a layout is checked on standard bodies only."""
    try:
        decode_body(record["msg_id"], _body(record), _VERSIONS[record["version"]],
                    strict=True)
    except JT808Error:
        return False
    return True


def _replays() -> list:
    params = []
    for record in standard_records(SAME_LAYOUT, ("decode", "encode")):
        if record["scope"] not in ("body", "frame") or record.get("frame_ok") is False:
            continue
        if record["version"] != "2013":      # the layout SAME_LAYOUT speaks of
            continue
        if not _decodes(record):
            continue
        for version in sorted(SAME_LAYOUT[record["msg_id"]], key=lambda v: v.value):
            params.append(pytest.param(record, version,
                                       id=f"{record['id']}@{version.value}"))
    return params


REPLAYS = _replays()
#: (msg_id, version) pairs the replays check, for the coverage test
REPLAY_PAIRS = {(p.values[0]["msg_id"], p.values[1]) for p in REPLAYS}


@pytest.mark.parametrize("record, version", REPLAYS)
def test_record_in_a_version_with_the_same_layout(record: dict, version: Version) -> None:
    body = _body(record)
    own = decode_body(record["msg_id"], body, _VERSIONS[record["version"]], strict=True)
    assert decode_body(record["msg_id"], body, version, strict=True) == own
    tolerant = decode_body(record["msg_id"], body, version)
    assert tolerant == own and tolerant.quirks == () and tolerant.trailing == b""
    assert encode_body(own, version) == body


_RECT_2019 = SetRectangleArea(0, (RectangleArea(
    1, 0x0002, 30.0, 120.0, 29.5, 121.25, speed_limit=60, over_speed_time=10,
    night_speed_limit=50, area_name="A"),))
_POLYGON_2019 = SetPolygonArea(7, 0x0002, (Point(30.0, 120.0), Point(31.0, 121.25)),
                               speed_limit=60, over_speed_time=10, night_speed_limit=50,
                               area_name="AB")

# (source, version, message, body hex)
VECTORS = [
    ("2011 §8 0x8107 query terminal properties: empty body", V11, QueryTerminalProperties(), ""),
    ("2013 §8 0x8107 query terminal properties: empty body", V13, QueryTerminalProperties(), ""),
    ("2019 §8 0x8107 query terminal properties: empty body", V19, QueryTerminalProperties(), ""),
    ("2011 §8 0x8201 location query: empty body", V11, LocationQuery(), ""),
    ("2013 §8 0x8201 location query: empty body", V13, LocationQuery(), ""),
    ("2019 §8 0x8201 location query: empty body", V19, LocationQuery(), ""),
    ("2013 §8 0x8702 driver identity request: empty body", V13, DriverIdentityRequest(), ""),
    ("2019 §8 0x8702 driver identity request: empty body", V19, DriverIdentityRequest(), ""),
    # type BYTE, maker BYTE[11] (2013: 5), version length BYTE + version, length DWORD, data
    ("2019 §8 0x8108 upgrade package: maker BYTE[11]", V19,
     UpgradePackage(0, "MAKER", "1.0", b"\x01\x02"),
     "00" + "4D414B4552" + "00" * 6 + "03" + "312E30" + "00000002" + "0102"),
    ("2013 §8 0x8108 upgrade package: maker BYTE[5]", V13,
     UpgradePackage(52, "MAKER", "1.0", b"\x01\x02"),
     "34" + "4D414B4552" + "03" + "312E30" + "00000002" + "0102"),
    # set attr, count, then: id DWORD, attributes WORD, 4 corners DWORD (1e-6 degree),
    # [speed WORD, duration BYTE, night speed WORD] (bit 1), name length WORD, name
    ("2019 §8 0x8602 rectangle: night speed and name", V19, _RECT_2019,
     "00" "01" "00000001" "0002" "01C9C380" "07270E00" "01C22260" "073A20D0"
     "003C" "0A" "0032" "0001" "41"),
    # id DWORD, attributes WORD, [speed WORD, duration BYTE], point count WORD, points,
    # [night speed WORD], name length WORD, name
    ("2019 §8 0x8604 polygon: night speed and name after the points", V19, _POLYGON_2019,
     "00000007" "0002" "003C" "0A" "0002" "01C9C380" "07270E00" "01D905C0" "073A20D0"
     "0032" "0002" "4142"),
    ("2013 §8 0x8604 polygon: no night speed, no name", V13,
     SetPolygonArea(7, 0x0002, (Point(30.0, 120.0),), speed_limit=60, over_speed_time=10),
     "00000007" "0002" "003C" "0A" "0001" "01C9C380" "07270E00"),
]


@pytest.mark.parametrize("source, version, message, body", VECTORS,
                         ids=[v[0] for v in VECTORS])
def test_vector(source: str, version: Version, message, body: str) -> None:
    raw = bytes.fromhex(body)
    assert encode_body(message, version) == raw
    assert decode_body(message.MSG_ID, raw, version) == message


#: the fields a 2013 reading finds in the 2019 bodies above: no night speed, no name
_RECT_AS_2013 = SetRectangleArea(0, (RectangleArea(
    1, 0x0002, 30.0, 120.0, 29.5, 121.25, speed_limit=60, over_speed_time=10),))
_POLYGON_AS_2013 = SetPolygonArea(7, 0x0002, (Point(30.0, 120.0), Point(31.0, 121.25)),
                                  speed_limit=60, over_speed_time=10)


@pytest.mark.parametrize("message, as_2013, tail", [
    (_RECT_2019, _RECT_AS_2013, "0032" "0001" "41"),
    (_POLYGON_2019, _POLYGON_AS_2013, "0032" "0002" "4142")])
def test_the_2019_areas_are_not_2013_bodies(message, as_2013, tail: str):
    """Read as 2013, the 2019 tail (night speed, name) is no 2013 field: refused as
    trailing bytes with ``strict=True``; by default (issue 11) the 2013 fields, the tail
    kept in ``.trailing`` with the quirk named, and the received bytes re-encoded."""
    raw = encode_body(message, V19)
    offset = len(raw) - len(bytes.fromhex(tail))
    with pytest.raises(RemoteProtocolError) as info:
        decode_body(message.MSG_ID, raw, V13, strict=True)
    assert (info.value.msg_id, info.value.offset) == (message.MSG_ID, offset)
    tolerant = decode_body(message.MSG_ID, raw, V13)
    assert tolerant == as_2013
    assert tolerant.trailing == bytes.fromhex(tail)
    assert tolerant.quirks == (f"{len(bytes.fromhex(tail))} bytes after the last field kept "
                               f"as trailing (offset {offset})",)
    assert encode_body(tolerant, V13) == raw


def test_every_listed_id_replays_in_every_listed_version():
    assert REPLAY_PAIRS == {(msg_id, v) for msg_id, versions in SAME_LAYOUT.items()
                            for v in versions}
