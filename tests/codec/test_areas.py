"""Area and route messages (``_areas``): 0x8600-0x8608, 0x0608.

Vectors: smallchi.jsonl record ids (SmallChi/JT808 C# unit tests) as cited per case;
the layouts are JT/T 808-2013 tables 55-65 and 2019 §8.29-8.37.
"""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from jt808.codec import (MESSAGES, CircleArea, DeleteCircleArea, DeletePolygonArea,
                         DeleteRectangleArea, DeleteRoute, Point, QueryAreaRoute,
                         QueryAreaRouteResponse, RawMessage, RectangleArea, RoutePoint,
                         SetCircleArea, SetPolygonArea, SetRectangleArea, SetRoute,
                         decode_body, encode_body)
from jt808.errors import LocalProtocolError, RemoteProtocolError, TruncatedError
from jt808.frame import Version

from codec_support import assert_both_ways, decode_prefixes

V11, V13, V19 = Version.V2011, Version.V2013, Version.V2019
T1 = dt.datetime(2018, 10, 18, 0, 0, 12)
T2 = dt.datetime(2018, 10, 19, 0, 0, 12)
DEG = 123.456789

CIRCLES_2013 = SetCircleArea(1, (
    CircleArea(1522, 222, DEG, DEG, 200, speed_limit=60, over_speed_time=200),
    CircleArea(1523, 0, DEG, DEG, 200),
    CircleArea(1524, 2211, DEG, DEG, 200, T1, T2, 60, 200),
))
CIRCLE_2019 = SetCircleArea(1, (CircleArea(1522, 222, DEG, DEG, 200, None, None, 60, 200, 666,
                                           "SmallChi"),))
ROUTE_2019 = SetRoute(9999, 51, (
    RoutePoint(1000, 1287, 123.456789, 123.456788, 56, 3, 50, 123, 69, 23, 80),
    RoutePoint(1001, 12007, 123.45678, 123.456781, 75, 3, 58, 124, 42, 26, 66),
), dt.datetime(2020, 1, 4, 0, 0, 12), dt.datetime(2020, 1, 4, 0, 0, 12), "koike518")

VECTORS = [
    ("JT808_0x8600Test.cs::Test2", V13, CIRCLES_2013,
     "0103000005F200DE075BCD15075BCD15000000C8003CC8000005F30000075BCD15075BCD15000000C8"
     "000005F408A3075BCD15075BCD15000000C8181018000012181019000012003CC8"),
    ("JT808_0x8600Test.cs::Test_2019_2", V19, CIRCLE_2019,
     "0101000005F200DE075BCD15075BCD15000000C8003CC8029A0008536D616C6C436869"),
    ("JT808_0x8601Test.cs::Test2", V13, DeleteCircleArea((1, 2)), "020000000100000002"),
    ("JT808_0x8602Test.cs::Test2", V13, SetRectangleArea(1, (
        RectangleArea(1522, 222, 123.456787, 123.456786, 123.456789, 123.456788,
                      speed_limit=60, over_speed_time=200),
        RectangleArea(1523, 10, 123.456702, 123.456703, 123.4567, 123.456701,
                      speed_limit=60, over_speed_time=200))),
     "0102000005F200DE075BCD13075BCD12075BCD15075BCD14003CC8000005F3000A075BCCBE075BCCBF"
     "075BCCBC075BCCBD003CC8"),
    ("JT808_0x8603Test.cs::Test2", V13, DeleteRectangleArea((2838, 1717, 772)),
     "0300000B16000006B500000304"),
    ("JT808_0x8604Test.cs::Test2", V13, SetPolygonArea(
        1234, 1, (Point(123.456789, 123.456788), Point(123.4567, 123.456701)),
        dt.datetime(2018, 11, 20, 0, 0, 12), dt.datetime(2018, 11, 21, 0, 0, 12)),
     "000004D200011811200000121811210000120002075BCD15075BCD14075BCCBC075BCCBD"),
    ("JT808_0x8605Test.cs::Test2", V11, DeletePolygonArea((2838, 1717, 772)),
     "0300000B16000006B500000304"),
    ("JT808_0x8606Test.cs::Test2", V13, SetRoute(9999, 1268, (
        RoutePoint(1000, 1287, 123.456789, 123.456788, 56, 89, 50, 123),
        RoutePoint(1001, 12007, 123.45678, 123.456781, 75, 50, speed_limit=42,
                   over_speed_time=26))),
     "0000270F04F40002000003E800000507075BCD15075BCD1438590032007B000003E900002EE7075BCD0C"
     "075BCD0D4B32002A1A"),
    ("JT808_0x8606Test.cs::Test6_2019", V19, ROUTE_2019,
     "0000270F00332001040000122001040000120002000003E800000507075BCD15075BCD1438030032007B"
     "0045170050000003E900002EE7075BCD0C075BCD0D4B03003A007C002A1A004200086B6F696B65353138"),
    ("JT808_0x8607Test.cs::Test2", V13, DeleteRoute((1, 2, 3, 4)),
     "0400000001000000020000000300000004"),
    ("JT808_0x8608Test.cs::Test4 (run as 2019)", V19, QueryAreaRoute(1), "0100000000"),
    ("JT808_0x8608Test.cs::Test2 (run as 2019)", V19, QueryAreaRoute(0, (1, 2, 3)),
     "0000000003000000010000000200000003"),
    ("JT808_0x0608Test.cs::Test_JT808_0X8600s_2", V19, QueryAreaRouteResponse(1, (CIRCLE_2019,)),
     "01000000010101000005F200DE075BCD15075BCD15000000C8003CC8029A0008536D616C6C436869"),
    ("JT808_0x0608Test.cs::Test_JT808_0X8604s_2", V19, QueryAreaRouteResponse(3, (SetPolygonArea(
        1234, 1, (Point(123.456789, 123.456788), Point(123.4567, 123.456701)),
        dt.datetime(2020, 1, 7, 0, 0, 12), dt.datetime(2020, 1, 7, 0, 0, 13),
        area_name="smallchi"),)),
     "0300000001000004D200012001070000122001070000130002075BCD15075BCD14075BCCBC075BCCBD"
     "0008736D616C6C636869"),
    ("JT808_0x0608Test.cs::Test2 (query type 5 kept raw)", V19,
     QueryAreaRouteResponse(5, (), 3, bytes.fromhex("000000010000000200000003")),
     "0500000003000000010000000200000003"),
]
IDS = [v[0] for v in VECTORS]


@pytest.mark.parametrize("source,version,message,body", VECTORS, ids=IDS)
def test_vector_both_ways(source, version, message, body):
    assert_both_ways(message, version, bytes.fromhex(body))


@pytest.mark.parametrize("source,version,message,body", VECTORS, ids=IDS)
def test_every_truncation_is_a_named_error(source, version, message, body):
    for _cut, decoded, error in decode_prefixes(message, version, bytes.fromhex(body)):
        if error is None:   # only the raw tail of an unknown 0x0608 query type may be shorter
            assert isinstance(decoded, QueryAreaRouteResponse) and decoded.query_type == 5


@pytest.mark.parametrize("source,version,message,body", VECTORS, ids=IDS)
def test_trailing_byte_is_an_error(source, version, message, body):
    raw = bytes.fromhex(body) + b"\x00"
    if isinstance(message, QueryAreaRouteResponse) and message.query_type == 5:
        assert decode_body(message.MSG_ID, raw, version).data.endswith(b"\x00")
        return
    with pytest.raises(RemoteProtocolError, match="left after"):
        decode_body(message.MSG_ID, raw, version, strict=True)


def test_fields_follow_the_attribute_bits():
    # bit 0 clear: times not sent even when given; bit 1 clear: no speed; 2013: no night/name
    area = CircleArea(1, 0, 1.0, 2.0, 3, T1, T2, 60, 10, 50, "name")
    assert len(encode_body(SetCircleArea(0, (area,)), V13)) == 2 + 18
    assert len(encode_body(SetCircleArea(0, (area,)), V19)) == 2 + 18 + 2 + 4
    timed = CircleArea(1, 3, 1.0, 2.0, 3, None, None, None, None)
    body = encode_body(SetCircleArea(0, (timed,)), V19)
    assert body[20:32] == bytes(12) and body[32:] == bytes(7)   # zero times, speed 0
    decoded = decode_body(0x8600, body, V19).areas[0]
    assert decoded.start_time is None and decoded.speed_limit == 0
    assert decoded.night_speed_limit == 0


def test_polygon_2019_night_speed_after_vertices():
    # 2019 §8.33 table: night maximum speed follows the vertex list (smallchi JT808_0x8604.cs)
    polygon = SetPolygonArea(7, 2, (Point(1.0, 2.0),), speed_limit=80, over_speed_time=5,
                             night_speed_limit=60, area_name="A")
    assert encode_body(polygon, V19).hex() == (
        "00000007" "0002" "0050" "05" "0001" "000f4240" "001e8480" "003c" "0001" "41")


def test_query_messages_exist_only_in_2019():
    for msg_id in (0x8608, 0x0608):
        assert (V19, msg_id) in MESSAGES and (V13, msg_id) not in MESSAGES
        assert isinstance(decode_body(msg_id, b"\x01", V13), RawMessage)
    for msg_id in range(0x8600, 0x8608):
        assert all((v, msg_id) in MESSAGES for v in (V11, V13, V19))


def test_huge_declared_counts_fail_fast():
    with pytest.raises(TruncatedError) as info:
        decode_body(0x8608, bytes.fromhex("01FFFFFFFF00000001"), V19)
    assert info.value.field == "ids"
    with pytest.raises(TruncatedError) as info:
        decode_body(0x0608, bytes.fromhex("01FFFFFFFF0100"), V19)
    assert info.value.field == "items"


def test_bad_bcd_time_is_remote_error():
    body = bytearray(bytes.fromhex(VECTORS[0][3]))
    body[-14] = 0x99   # month 99 of the third circle's start time
    with pytest.raises(RemoteProtocolError) as info:
        decode_body(0x8600, bytes(body), V13, strict=True)
    assert info.value.field == "start_time"


@pytest.mark.parametrize("message,field", [
    (SetCircleArea(0, (CircleArea(1, 0, -1.0, 0.0, 1),)), "center_latitude"),
    (SetCircleArea(0, (CircleArea(1, 0, "north", 0.0, 1),)), "center_latitude"),
    (SetCircleArea(0, (CircleArea(1, 0, 4295.0, 0.0, 1),)), "center_latitude"),
    (SetCircleArea(0, (CircleArea(1, 2, 0.0, 0.0, 1, speed_limit=70000),)), "speed_limit"),
    (SetCircleArea(0, (CircleArea(1, 1, 0.0, 0.0, 1, "now"),)), "start_time"),
    (SetCircleArea(0, (RectangleArea(1, 0, 0, 0, 0, 0),)), "areas"),
    (SetRectangleArea(256), "set_attr"),
    (SetPolygonArea(1, 0, (Point(0.0, 1e9),)), "longitude"),
    (SetRoute(1, 0, (RoutePoint(1, 2, 0.0, 0.0, 300, 0),)), "road_section_width"),
    (DeleteRoute((1 << 32,)), "ids"),
    (DeleteCircleArea(tuple(range(256))), "area_ids"),
    (QueryAreaRouteResponse(2, (CIRCLE_2019,)), "items"),
    (SetCircleArea(0, (CircleArea(1, 0, 0.0, 0.0, 1, area_name="x" * 65536),)), "area_name"),
])
def test_bad_local_values(message, field):
    with pytest.raises(LocalProtocolError) as info:
        encode_body(message, V19)
    assert info.value.field == field


# -- hypothesis round trips ------------------------------------------------------------

degrees = st.integers(0, 180_000_000).map(lambda raw: raw / 1_000_000)
times = st.none() | st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2099, 12, 31, 23, 59, 59)
                                 ).map(lambda t: t.replace(microsecond=0))
names = st.text(st.characters(codec="gbk"), max_size=10)
u8, u16, u32 = st.integers(0, 255), st.integers(0, 0xFFFF), st.integers(0, 0xFFFFFFFF)
versions = st.sampled_from([V11, V13, V19])


def _normal(message, version):
    """What decoding gives back: absent fields None, 2019-only fields dropped before 2019."""
    return decode_body(message.MSG_ID, encode_body(message, version), version)


@st.composite
def circles(draw, version):
    bits = draw(u16)
    timed, speed = bits & 1, bits & 2
    night = speed and version is V19
    return CircleArea(draw(u32), bits, draw(degrees), draw(degrees), draw(u32),
                      draw(times) if timed else None, draw(times) if timed else None,
                      draw(u16) if speed else None, draw(u8) if speed else None,
                      draw(u16) if night else None,
                      draw(names) if version is V19 else "")


@st.composite
def route_points(draw, version):
    bits = draw(u8)
    long_, speed = bits & 1, bits & 2
    return RoutePoint(draw(u32), draw(u32), draw(degrees), draw(degrees), draw(u8), bits,
                      draw(u16) if long_ else None, draw(u16) if long_ else None,
                      draw(u16) if speed else None, draw(u8) if speed else None,
                      draw(u16) if speed and version is V19 else None)


@settings(max_examples=40, deadline=None)
@given(st.data(), versions)
def test_circle_and_route_roundtrip(data, version):
    circle = SetCircleArea(data.draw(u8), tuple(data.draw(st.lists(circles(version), max_size=3))))
    assert decode_body(0x8600, encode_body(circle, version), version) == circle
    bits = data.draw(u16)
    route = SetRoute(data.draw(u32), bits, tuple(data.draw(st.lists(route_points(version),
                                                                    max_size=3))),
                     data.draw(times) if bits & 1 else None, data.draw(times) if bits & 1 else None,
                     data.draw(names) if version is V19 else "")
    assert decode_body(0x8606, encode_body(route, version), version) == route
    if version is V19:
        response = QueryAreaRouteResponse(1, (circle,))
        assert decode_body(0x0608, encode_body(response, V19), V19) == response


@settings(max_examples=40, deadline=None)
@given(u32, u16, st.lists(st.builds(Point, degrees, degrees), max_size=4),
       st.lists(degrees, min_size=4, max_size=4), times, u16, u8, u16, names, versions)
def test_polygon_and_rectangle_roundtrip(area_id, bits, points, corners, when, speed, dur,
                                         night, name, version):
    polygon = SetPolygonArea(area_id, bits, tuple(points), when, when, speed, dur, night, name)
    once = _normal(polygon, version)
    assert _normal(once, version) == once and encode_body(once, version) == encode_body(
        polygon, version)
    rect = SetRectangleArea(1, (RectangleArea(area_id, bits, *corners, when, when, speed, dur,
                                              night, name),))
    once = _normal(rect, version)
    assert encode_body(once, version) == encode_body(rect, version)
    assert once.areas[0].upper_left_latitude == corners[0]


@settings(max_examples=30, deadline=None)
@given(st.lists(u32, max_size=20), u8)
def test_delete_and_query_roundtrip(ids, query_type):
    for cls in (DeleteCircleArea, DeleteRectangleArea, DeletePolygonArea, DeleteRoute):
        message = cls(tuple(ids))
        assert decode_body(cls.MSG_ID, encode_body(message, V13), V13) == message
    query = QueryAreaRoute(query_type, tuple(ids))
    assert decode_body(0x8608, encode_body(query, V19), V19) == query
