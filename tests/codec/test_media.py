"""Media, pass-through and compressed data messages (``_media``).

Vectors: smallchi.jsonl record ids (SmallChi/JT808 C# unit tests, file::test) as cited per
case, and the body tables of JT/T 808-2011/2013 where no record exists.
"""
from __future__ import annotations

import datetime as dt
import gzip
import zlib

import pytest
from hypothesis import given, settings, strategies as st

from jt808.codec import (MESSAGES, CameraShootCommand, CameraShootResponse,
                         CompressedDataUpload, DownlinkPassThrough, LocationBasic,
                         MediaDataUpload, MediaEventUpload, RawMessage, RecordingCommand,
                         SingleStoredMediaUpload, StoredMediaItem, StoredMediaSearch,
                         StoredMediaSearchResponse, StoredMediaUpload, UplinkPassThrough,
                         decode_body, encode_body)
from jt808.codec._media import DECOMPRESS_LIMIT
from jt808.errors import LocalProtocolError, RemoteProtocolError, TruncatedError
from jt808.frame import Version

from codec_support import assert_both_ways, decode_prefixes

V11, V13, V19 = Version.V2011, Version.V2013, Version.V2019

# the location basic part of the smallchi 0x0801/0x0802 vectors (AlarmFlag 1, StatusFlag 2,
# Lat 12222222, Lng 132444444, Altitude 40, Speed 60, Direction 0)
def _loc(time: dt.datetime) -> LocationBasic:
    return LocationBasic(1, 2, 12.222222, 132.444444, 40, 6.0, 0, time)


LOC_HEX = "000000010000000200BA7F0E07E4F11C0028003C0000"
T1 = dt.datetime(2018, 11, 16, 20, 20, 20)
T2 = dt.datetime(2018, 11, 16, 22, 22, 22)

# (source, version, message, body hex, fixed: every shorter prefix must be truncated)
VECTORS = [
    ("JT808_0x0800Test.cs::Test1/Test2", V13, MediaEventUpload(5569, 1, 2, 1, 6),
     "000015C101020106", True),
    ("JT808_0x0801Test.cs::Test1/Test2", V13,
     MediaDataUpload(2567, 0, 0, 1, 123, _loc(dt.datetime(2018, 11, 15, 23, 26, 10)),
                     bytes.fromhex("01020304")),
     "00000A070000017B" + LOC_HEX + "181115232610" + "01020304", False),
    ("JT808_0x0801Test.cs::Test2011_1/Test2011_2", V11,
     MediaDataUpload(2567, 0, 0, 1, 123, None, bytes.fromhex("01020304")),
     "00000A070000017B01020304", False),
    ("JT808_0x0802Test.cs::Test1/Test2", V13,
     StoredMediaSearchResponse(12369, (StoredMediaItem(258, 0, 123, 1, _loc(T1)),
                                       StoredMediaItem(259, 2, 124, 0, _loc(T2)))),
     "30510002" + "00000102007B01" + LOC_HEX + "181116202020"
     + "00000103027C00" + LOC_HEX + "181116222222", True),
    ("JT808_0x0802Test.cs::Test2011_1/Test2011_2", V11,
     StoredMediaSearchResponse(12369, (StoredMediaItem(None, 0, 123, 1, _loc(T1)),
                                       StoredMediaItem(None, 2, 124, 0, _loc(T2)))),
     "30510002" + "007B01" + LOC_HEX + "181116202020" + "027C00" + LOC_HEX + "181116222222",
     True),
    ("JT808_0x0805Test.cs::Test1/Test2", V13, CameraShootResponse(12456, 0, (12306, 12580)),
     "30A80000020000301200003124", True),
    # JT/T 808-2019 body of 0x0805: the id list is only sent with result 0 (here 2, channel
    # not supported)
    ("JT/T 808-2019 0x0805 body, result 2", V19, CameraShootResponse(1, 2), "000102", True),
    ("JT808_0x8801Test.cs::Test1/Test2", V13,
     CameraShootCommand(128, 0, 2686, 1, 8, 9, 235, 126, 120, 245),
     "8000000A7E010809EB7E78F5", True),
    ("JT808_0x8802Test.cs::Test1/Test2", V13,
     StoredMediaSearch(2, 123, 3, dt.datetime(2018, 11, 16, 21, 0, 8),
                       dt.datetime(2018, 11, 16, 22, 0, 8)),
     "027B03181116210008181116220008", True),
    # JT/T 808-2011 body of 0x8802 (same as 2013): all-zero BCD times, channel 0 = every channel
    ("JT/T 808-2011 0x8802 body, zero times", V11, StoredMediaSearch(0, 0, 0), "000000" + "00" * 12, True),
    ("JT808_0x8803Test.cs::Test1/Test2", V13,
     StoredMediaUpload(0, 128, 0, dt.datetime(2018, 11, 16, 22, 0, 21),
                       dt.datetime(2018, 11, 16, 23, 0, 21), 1),
     "00800018111622002118111623002101", True),
    ("JT808_0x8804Test.cs::Test1/Test2", V13, RecordingCommand(0, 30, 0, 1), "00001E0001", True),
    ("JT808_0x8805Test.cs::Test1/Test2", V13, SingleStoredMediaUpload(10000, 0), "0000271000",
     True),
    # JT/T 808-2019 body of 0x8805 (same layout as record JT808_0x8805Test.cs::Test1), delete 1
    ("JT/T 808-2019 0x8805 body, delete flag 1", V19,
     SingleStoredMediaUpload(10000, 1), "0000271001", True),
    ("JT808_0x0900Test.cs::Test1 (frame body)", V13, UplinkPassThrough(0x83, b"smallchi"),
     "83736D616C6C636869", False),
    ("JT808_0x8900Test.cs::Test1/Test2", V13, DownlinkPassThrough(11, bytes.fromhex("0000303901")),
     "0B0000303901", False),
    ("JT808_0x0901Test.cs::Test2", V13,
     CompressedDataUpload(bytes.fromhex("1F8B080000000000000B2BCE4DCCC949CEC82CA6320D"
                                        "0027F897E258000000")),
     "0000001F1F8B080000000000000B2BCE4DCCC949CEC82CA6320D0027F897E258000000", True),
]
IDS = [v[0] + f" [{v[1].value}]" for v in VECTORS]


@pytest.mark.parametrize("source,version,message,body,fixed", VECTORS, ids=IDS)
def test_vector_both_ways(source, version, message, body, fixed):
    decoded = assert_both_ways(message, version, bytes.fromhex(body))
    assert type(decoded) is type(message)


@pytest.mark.parametrize("source,version,message,body,fixed", VECTORS, ids=IDS)
def test_every_truncation(source, version, message, body, fixed):
    raw = bytes.fromhex(body)
    for cut, decoded, error in decode_prefixes(message, version, raw):
        if error is not None:
            assert error.offset <= cut
        else:   # a data tail: a shorter body is still a valid one
            assert not fixed, f"prefix of {cut} bytes decoded"
            assert encode_body(decoded, version) == raw[:cut]


@pytest.mark.parametrize("source,version,message,body,fixed", VECTORS, ids=IDS)
def test_trailing_byte(source, version, message, body, fixed):
    raw = bytes.fromhex(body) + b"\x01"
    if fixed:
        with pytest.raises(RemoteProtocolError) as info:   # left over, or a short next field
            decode_body(message.MSG_ID, raw, version, strict=True)
        assert "left after" in str(info.value) or isinstance(info.value, TruncatedError)
    else:   # the data tail takes it
        assert encode_body(decode_body(message.MSG_ID, raw, version), version) == raw


def test_truncation_names_the_field_and_offset():
    cases = [
        (0x0800, "000015C10102", V13, "event_code", 6),
        (0x0801, "00000A070000017B000000010000", V13, "status", 12),
        (0x0801, "00000A070000017B" + LOC_HEX + "1811", V13, "time", 30),
        (0x0802, "30510002007B01", V11, "alarm_flag", 7),
        (0x0802, "305100020000", V13, "media_id", 4),
        (0x0805, "30A800000200003012", V13, "ids", 5),
        (0x0805, "30A800", V13, "count", 3),      # result 0 needs the count
        (0x8801, "8000000A7E0108", V13, "quality", 7),
        (0x8802, "027B031811162100", V13, "start_time", 3),
        (0x8803, "008000181116220021181116230021", V13, "delete_flag", 15),
        (0x0901, "000000051F8B", V13, "data", 4),
        (0x0900, "", V13, "data_type", 0),
    ]
    for msg_id, body, version, field, offset in cases:
        with pytest.raises(TruncatedError) as info:
            decode_body(msg_id, bytes.fromhex(body), version)
        assert (info.value.field, info.value.offset) == (field, offset), (hex(msg_id), body)


def test_media_data_upload_2011_has_no_location():
    message = MediaDataUpload(1, 0, 0, 0, 1, _loc(T1), b"\xff\xd8")
    assert encode_body(message, V11) == bytes.fromhex("0000000100000001FFD8")
    assert encode_body(message, V13) == bytes.fromhex("0000000100000001" + LOC_HEX
                                                      + "181116202020FFD8")


def test_media_data_upload_needs_a_location_since_2013():
    for version in (V13, V19):
        with pytest.raises(LocalProtocolError) as info:
            encode_body(MediaDataUpload(1, 0, 0, 0, 1, None, b"x"), version)
        assert info.value.field == "location"


def test_media_data_upload_keeps_media_id_attribute():
    # the session reads ``media_id`` of an 0x0801 to build the 0x8800 reply
    decoded = decode_body(0x0801, bytes.fromhex(VECTORS[1][3]), V13)
    assert decoded.media_id == 2567 and decoded.media_data == b"\x01\x02\x03\x04"


def test_media_data_upload_south_west():
    loc = LocationBasic(0, 0, -33.5, -70.25, 10, 0.0, 0, None)
    body = encode_body(MediaDataUpload(7, 0, 0, 0, 1, loc, b""), V19)
    decoded = decode_body(0x0801, body, V19)
    assert decoded.location.latitude == -33.5 and decoded.location.longitude == -70.25
    assert decoded.location.status == 0b1100
    assert encode_body(decoded, V19) == body


def test_location_part_decodes_twice_with_cached_time():
    # a second decode of the same time hits the BCD time cache: the cursor must still move
    body = bytes.fromhex(VECTORS[3][3])
    for _ in range(3):
        assert decode_body(0x0802, body, V13) == VECTORS[3][2]


def test_stored_media_search_response_count_past_the_end():
    with pytest.raises(TruncatedError):
        decode_body(0x0802, bytes.fromhex("0001FFFF"), V13)


def test_stored_media_search_response_2011_drops_media_id():
    message = StoredMediaSearchResponse(5, (StoredMediaItem(99, 0, 1, 2, _loc(T1)),))
    assert encode_body(message, V11) == bytes.fromhex("00050001000102" + LOC_HEX + "181116202020")


def test_camera_shoot_response_variants():
    # failure with an explicit empty list: kept and re-encoded
    raw = bytes.fromhex("0001010000")
    decoded = decode_body(0x0805, raw, V13)
    assert decoded == CameraShootResponse(1, 1, ())
    assert encode_body(decoded, V13) == raw
    # result 0 without ids given: count 0
    assert encode_body(CameraShootResponse(1, 0), V13) == bytes.fromhex("0001000000")
    # huge count with few bytes: truncated, no allocation by count
    with pytest.raises(TruncatedError) as info:
        decode_body(0x0805, bytes.fromhex("000100FFFF00000001"), V13)
    assert info.value.field == "ids"


def test_versions():
    for msg_id in (0x0805, 0x8805):   # new in JT/T 808-2013
        assert (V11, msg_id) not in MESSAGES
        assert (V13, msg_id) in MESSAGES and (V19, msg_id) in MESSAGES
        assert isinstance(decode_body(msg_id, b"\x00\x01\x00", V11), RawMessage)
    with pytest.raises(LocalProtocolError):
        encode_body(SingleStoredMediaUpload(1), V11)
    for msg_id in (0x0800, 0x0801, 0x0802, 0x8801, 0x8802, 0x8803, 0x8804, 0x0900, 0x8900,
                   0x0901):
        assert all((v, msg_id) in MESSAGES for v in (V11, V13, V19))


@pytest.mark.parametrize("message,field", [
    (MediaEventUpload(-1, 0, 0, 0, 1), "media_id"),
    (MediaEventUpload(1, 256, 0, 0, 1), "media_type"),
    (MediaEventUpload(1, 0, 0, 0, "1"), "channel_id"),
    (MediaDataUpload(1 << 32, 0, 0, 0, 1, _loc(T1)), "media_id"),
    (MediaDataUpload(1, 0, 0, 0, 1, _loc(T1), "text"), "media_data"),
    (MediaDataUpload(1, 0, 0, 0, 1, LocationBasic(0, 0, 0.0, 0.0, 70000, 0.0, 0, None)),
     "altitude"),
    (StoredMediaSearchResponse(1 << 16), "reply_serial"),
    (StoredMediaSearchResponse(1, (StoredMediaItem(None, 0, 1, 0, _loc(T1)),)), "media_id"),
    (StoredMediaSearchResponse(1, (StoredMediaItem(1, 0, 300, 0, _loc(T1)),)), "channel_id"),
    (StoredMediaSearchResponse(1, (StoredMediaItem(1, 0, 1, 0, None),)), "location"),
    (CameraShootResponse(1, 0, (1 << 32,)), "ids"),
    (CameraShootResponse(1, 0, tuple(range(1 << 16))), "count"),
    (CameraShootCommand(1, 0x10000), "shooting_order"),
    (CameraShootCommand(1, 1, chroma=256), "chroma"),
    (StoredMediaSearch(0, 0, 0, "2018-11-16"), "start_time"),
    (StoredMediaSearch(0, 0, 0, None, dt.datetime(1999, 1, 1)), "end_time"),
    (StoredMediaUpload(0, 0, 0, delete_flag=2.5), "delete_flag"),
    (RecordingCommand(1, 65536), "recording_time"),
    (SingleStoredMediaUpload(1, -1), "delete_flag"),
    (UplinkPassThrough(256, b""), "data_type"),
    (DownlinkPassThrough(1, "text"), "data"),
    (CompressedDataUpload("text"), "data"),
])
def test_bad_local_values(message, field):
    with pytest.raises(LocalProtocolError) as info:
        encode_body(message, V13)
    assert info.value.field == field


# -- 0x0901 compressed data ---------------------------------------------------------

def test_compress_round_trip():
    payload = b"smallchi" * 1000
    message = CompressedDataUpload.compress(payload)
    assert message.data[:2] == b"\x1f\x8b"    # GZIP, as the 0x0901 body of JT/T 808-2013 asks
    assert gzip.decompress(message.data) == payload
    assert message.decompressed() == payload
    body = encode_body(message, V13)
    assert int.from_bytes(body[:4], "big") == len(message.data)
    assert decode_body(0x0901, body, V13) == message


def test_compressed_bytes_kept_exactly():
    # a zlib stream (not GZIP) from some devices: kept byte for byte and inflated too
    data = zlib.compress(b"abc" * 50, 1)
    body = len(data).to_bytes(4, "big") + data
    decoded = decode_body(0x0901, body, V13)
    assert decoded.data == data and encode_body(decoded, V13) == body
    assert decoded.decompressed() == b"abc" * 50


def test_several_gzip_members_and_zero_padding():
    data = gzip.compress(b"one") + gzip.compress(b"two") + b"\x00\x00"
    assert CompressedDataUpload(data).decompressed() == b"onetwo"


def test_zip_bomb_is_refused():
    bomb = gzip.compress(bytes(64 << 20), 9)     # 64 MiB of zeros in ~64 KiB
    assert len(bomb) < 100_000
    message = decode_body(0x0901, len(bomb).to_bytes(4, "big") + bomb, V13)
    with pytest.raises(RemoteProtocolError) as info:
        message.decompressed()
    assert "limit" in str(info.value) and info.value.field == "data"
    assert info.value.msg_id == 0x0901


def test_limit_is_exact():
    message = CompressedDataUpload.compress(bytes(1000))
    assert message.decompressed(limit=1000) == bytes(1000)
    with pytest.raises(RemoteProtocolError):
        message.decompressed(limit=999)
    # members together past the limit
    two = CompressedDataUpload(gzip.compress(bytes(600)) + gzip.compress(bytes(600)))
    with pytest.raises(RemoteProtocolError):
        two.decompressed(limit=1000)
    assert DECOMPRESS_LIMIT == 1 << 20


@pytest.mark.parametrize("data", [
    b"", b"not compressed", gzip.compress(b"x" * 100)[:-9],   # cut inside the stream
    gzip.compress(b"x") + b"junk", b"\x1f\x8b\x08" + bytes(20),
])
def test_bad_compressed_data(data):
    with pytest.raises(RemoteProtocolError) as info:
        CompressedDataUpload(data).decompressed()
    assert info.value.field == "data"


# -- hypothesis round trips ------------------------------------------------------------

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
times = st.none() | st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2099, 12, 31, 23, 59, 59)
                                 ).map(lambda t: t.replace(microsecond=0))
versions = st.sampled_from([V11, V13, V19])
blobs = st.binary(max_size=64)


@st.composite
def locations(draw):
    south, west = draw(st.booleans()), draw(st.booleans())
    status = draw(u32) & ~0b1100 | south << 2 | west << 3
    lat, lng = draw(st.integers(0, 90_000_000)), draw(st.integers(0, 180_000_000))
    return LocationBasic(draw(u32), status, -lat / 1e6 if south else lat / 1e6,
                         -lng / 1e6 if west else lng / 1e6, draw(u16), draw(u16) / 10,
                         draw(st.integers(0, 359)), draw(times))


def _roundtrip(message, version):
    body = encode_body(message, version)
    decoded = decode_body(message.MSG_ID, body, version)
    assert decoded == message
    assert encode_body(decoded, version) == body


@settings(max_examples=40, deadline=None)
@given(u32, u8, u8, u8, u8, versions)
def test_media_event_roundtrip(media_id, kind, encoding, event, channel, version):
    _roundtrip(MediaEventUpload(media_id, kind, encoding, event, channel), version)


@settings(max_examples=40, deadline=None)
@given(u32, u8, u8, u8, u8, locations(), blobs, versions)
def test_media_data_roundtrip(media_id, kind, encoding, event, channel, loc, data, version):
    loc = None if version is V11 else loc
    _roundtrip(MediaDataUpload(media_id, kind, encoding, event, channel, loc, data), version)


@settings(max_examples=30, deadline=None)
@given(u16, st.lists(st.tuples(u32, u8, u8, u8, locations()), max_size=4), versions)
def test_stored_media_search_response_roundtrip(serial, items, version):
    medias = tuple(StoredMediaItem(None if version is V11 else i, t, c, e, loc)
                   for i, t, c, e, loc in items)
    _roundtrip(StoredMediaSearchResponse(serial, medias), version)


@settings(max_examples=40, deadline=None)
@given(u16, u8, st.lists(u32, max_size=8), st.booleans(), st.sampled_from([V13, V19]))
def test_camera_shoot_response_roundtrip(serial, result, ids, no_list, version):
    ids = None if no_list and result != 0 else tuple(ids)
    _roundtrip(CameraShootResponse(serial, result, ids), version)


@settings(max_examples=40, deadline=None)
@given(st.tuples(u8, u16, u16, u8, u8, u8, u8, u8, u8, u8), versions)
def test_camera_shoot_command_roundtrip(values, version):
    _roundtrip(CameraShootCommand(*values), version)


@settings(max_examples=40, deadline=None)
@given(u8, u8, u8, times, times, u8, versions)
def test_stored_media_search_and_upload_roundtrip(kind, channel, event, start, end, delete,
                                                  version):
    _roundtrip(StoredMediaSearch(kind, channel, event, start, end), version)
    _roundtrip(StoredMediaUpload(kind, channel, event, start, end, delete), version)


@settings(max_examples=40, deadline=None)
@given(u8, u16, u8, u8, u32, u8, versions)
def test_recording_and_single_upload_roundtrip(cmd, seconds, save, rate, media_id, delete,
                                               version):
    _roundtrip(RecordingCommand(cmd, seconds, save, rate), version)
    if version is not V11:
        _roundtrip(SingleStoredMediaUpload(media_id, delete), version)


@settings(max_examples=40, deadline=None)
@given(u8, blobs, versions)
def test_pass_through_roundtrip(data_type, data, version):
    _roundtrip(UplinkPassThrough(data_type, data), version)
    _roundtrip(DownlinkPassThrough(data_type, data), version)


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=300), versions)
def test_compressed_roundtrip(payload, version):
    message = CompressedDataUpload.compress(payload)
    _roundtrip(message, version)
    assert message.decompressed() == payload


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted({(v[1], v[2].MSG_ID) for v in VECTORS}, key=str)),
       st.binary(max_size=80))
def test_random_bodies_never_crash(key, body):
    version, msg_id = key
    try:
        message = decode_body(msg_id, body, version)
    except RemoteProtocolError:
        return
    assert encode_body(message, version) == body
