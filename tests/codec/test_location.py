"""0x0200 location report and the other messages of ``jt808.codec._location``.

Vectors cite their source: ``smallchi:<test>`` is a record id of
``tests/vectors/smallchi.jsonl`` (``SmallChi/JT808:<file>::<test>``), ``seed:<case>``
a case of ``tests/vectors/seed_impl.jsonl``; hand-made ones cite the standard's table.
"""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jt808.codec import MESSAGES, decode, decode_body, encode, encode_body
from jt808.codec._extras import (
    Fuel, Mileage, RawExtra, SatelliteCount, SignalStrength, TachographSpeed,
)
from jt808.codec._location import (
    ALARM_BITS, LOCATION_BASIC_SIZE, STATUS_BITS, LocationBasic, LocationBatchReport,
    LocationQuery, LocationQueryResponse, LocationReport, ManualAlarmConfirm,
    TemporaryTracking, VehicleControl, VehicleControl2019, VehicleControlItem,
    VehicleControlResponse, decode_location_basic, encode_location_basic,
)
from jt808.errors import LocalProtocolError, RemoteProtocolError, TruncatedError
from jt808.frame import Buffer, Framer, Version, pack, unpack

V11, V13, V19 = Version.V2011, Version.V2013, Version.V2019
T_2018 = dt.datetime(2018, 7, 15, 10, 10, 10)
T_2022 = dt.datetime(2022, 6, 27, 10, 11, 30)

# smallchi:JT808_0x0200Test.cs::Test1 / Test2 (2013 body)
BODY_0200 = bytes.fromhex(
    "000000010000000200BA7F0E07E4F11C0028003C000018071510101001040000006402020037")
REPORT_0200 = LocationReport(1, 2, 12.222222, 132.444444, 40, 6.0, 0, T_2018,
                             (Mileage(10.0), Fuel(5.5)))

# seed:wire_loction_report_0200_2013 (body of the frame the seed sends for the doc example)
SEED_BODY_0200 = bytes.fromhex(
    "00000000007FFDFF01E59BCD06FCF44E007800000000220627101130"
    "0104000003E80202014503020000")
# seed:wire_loction_report_0200_minimal_2013
SEED_MINIMAL_0200 = bytes.fromhex("0000000000000003" "01E59BCD06FCF44E0078025D005A220627101130")


def test_smallchi_0200_decode_and_encode():
    assert decode_body(0x0200, BODY_0200, V13) == REPORT_0200
    assert encode_body(REPORT_0200, V13) == BODY_0200


@pytest.mark.parametrize("version", list(Version))
def test_seed_doc_example_encodes_like_the_seed(version):
    # status 0x7FFDFF (every LocStatusConfig bit, load 1) has S and W set although
    # the latitude/longitude given are positive: the bits are kept as given.
    # The seed truncates 117.24091089413 to 117240910; we round (round-trips exactly),
    # so the example's longitude is given here with six decimals.
    report = LocationReport(0, 8388095, 31.824845156501, 117.24091, 120, 0, 0, T_2022,
                            (Mileage(100), Fuel(32.5), TachographSpeed(0)))
    assert encode_body(report, version) == SEED_BODY_0200
    back = decode_body(0x0200, SEED_BODY_0200, version)
    assert back.status == 8388095 and back.latitude == -31.824845
    assert encode_body(back, version) == SEED_BODY_0200


def test_coordinates_are_rounded_not_truncated():
    # differs from the seed (it truncates: 06FCF44E); 31.824845 * 1e6 is 31824844.999...
    body = encode_body(LocationReport(0, 0, 31.824845, 117.24091089413, 0, 0, 0, None))
    assert body[8:16].hex().upper() == "01E59BCD06FCF44F"


def test_seed_minimal_report_speed_tenths():
    report = LocationReport(0, 3, 31.824845, 117.240910, 120, 60.5, 90, T_2022)
    assert encode_body(report) == SEED_MINIMAL_0200
    assert decode_body(0x0200, SEED_MINIMAL_0200) == report


def test_seed_frame_byte_by_byte():
    # seed:wire_loction_report_0200_2013, fed to a Framer one byte at a time
    wire = bytes.fromhex("7E0200002A018888888888000000000000007FFDFF01E59BCD06FCF44E00780000"
                         "00002206271011300104000003E80202014503020000CF7E")
    framer = Framer()
    frames = [f for b in wire for f in framer.feed(bytes([b]))]
    assert len(frames) == 1
    message = decode(frames[0])
    assert message.extra(Mileage) == Mileage(100.0)
    assert pack(encode(message, phone="018888888888", serial=0)) == wire


def test_negative_latitude_longitude_set_south_west_bits():
    # smallchi:JT808_0x0200Test.cs::LatLngTest1_1 values, standard layout (2013 table 23/24):
    # magnitudes on the wire, status bits 2 (south) and 3 (west).
    report = LocationReport(1, 0, -12.222222, -132.444444, 40, 6.0, 0, T_2018)
    body = encode_body(report)
    assert body.hex().upper() == "000000010000000C00BA7F0E07E4F11C0028003C0000180715101010"
    back = decode_body(0x0200, body)
    assert (back.status, back.latitude, back.longitude) == (0x0C, -12.222222, -132.444444)
    assert encode_body(back) == body


def test_south_bit_with_zero_latitude_round_trips():
    body = bytes.fromhex("0000000000000004" "00000000" "00000001" "0000000000000000000000000000")
    back = decode_body(0x0200, body)
    assert back.latitude == 0 and back.status == 4
    assert encode_body(back) == body


def test_time_zero_is_none():
    body = SEED_MINIMAL_0200[:22] + bytes(6)
    assert decode_body(0x0200, body).time is None
    assert encode_body(decode_body(0x0200, body)) == body


def test_extras_in_wire_order_with_vendor_and_unknown_kept_raw():
    # 2013 table 26: 0xE0-0xFF vendor; 0x1A is reserved (0x14-0x18 are JT/T 1078's, which
    # jt808.jt1078 registers)
    tail = bytes.fromhex("E102ABCD" "0104000000641A040000000130011F")
    report = decode_body(0x0200, SEED_MINIMAL_0200 + tail)
    assert report.extras == (RawExtra(0xE1, b"\xab\xcd"), Mileage(10.0),
                             RawExtra(0x1A, b"\x00\x00\x00\x01"), SignalStrength(31))
    assert encode_body(report) == SEED_MINIMAL_0200 + tail


@pytest.mark.parametrize("tail", ["01020001", "0205000000000A", "300200FF", "0500"])
def test_standard_extra_with_wrong_length_is_kept_raw(tail):
    body = SEED_MINIMAL_0200 + bytes.fromhex(tail)
    report = decode_body(0x0200, body)
    assert isinstance(report.extras[0], RawExtra)
    assert encode_body(report) == body


def test_extra_running_past_the_end_is_truncated():
    with pytest.raises(TruncatedError) as info:
        decode_body(0x0200, SEED_MINIMAL_0200 + bytes.fromhex("010400000064" "0204FF"), strict=True)
    assert info.value.field == "extras[0x02]" and info.value.offset == 34
    assert info.value.msg_id == 0x0200
    with pytest.raises(TruncatedError):  # a lone extra id byte
        decode_body(0x0200, SEED_MINIMAL_0200 + b"\x01", strict=True)


def test_truncated_at_every_byte():
    body = SEED_BODY_0200
    boundaries = {28, 34, 38}  # basic part, after 0x01, after 0x02 (0x03 ends the body)
    for cut in range(len(body)):
        if cut in boundaries:
            assert encode_body(decode_body(0x0200, body[:cut])) == body[:cut]
            continue
        with pytest.raises(TruncatedError) as info:
            decode_body(0x0200, body[:cut], strict=True)
        err = info.value
        assert err.msg_id == 0x0200 and err.field and err.offset is not None
        if cut < 28:
            assert err.field in {name for name in ("alarm_flag", "status", "latitude",
                                                    "longitude", "altitude", "speed",
                                                    "direction", "time")}


def test_truncated_basic_names_the_field():
    with pytest.raises(TruncatedError) as info:
        decode_body(0x0200, SEED_MINIMAL_0200[:17])
    assert (info.value.field, info.value.offset) == ("altitude", 16)


def test_bad_bcd_time_is_remote_error():
    body = SEED_MINIMAL_0200[:22] + bytes.fromhex("221327101130")  # month 13
    with pytest.raises(RemoteProtocolError) as info:
        decode_body(0x0200, body, strict=True)
    assert info.value.field == "time"


@pytest.mark.parametrize("changes, field", [
    ({"altitude": -1}, "altitude"),
    ({"altitude": 65536}, "altitude"),
    ({"direction": 70000}, "direction"),
    ({"alarm_flag": 1 << 32}, "alarm_flag"),
    ({"status": -1}, "status"),
    ({"speed": -0.1}, "speed"),
    ({"latitude": 5000.0}, "latitude"),
    ({"latitude": float("nan")}, "location"),
    ({"time": dt.datetime(1999, 1, 1)}, "time"),
    ({"time": "220627101130"}, "time"),
    ({"extras": (1, 2)}, "extras"),
    ({"extras": (Mileage(-1),)}, "mileage"),
    ({"extras": (RawExtra(0xE0, bytes(256)),)}, "extra_data"),
    ({"extras": (RawExtra(0x100, b""),)}, "extra_id"),
])
def test_bad_local_values_raise_local_protocol_error(changes, field):
    fields = dict(alarm_flag=0, status=0, latitude=1.0, longitude=2.0, altitude=3, speed=4.0,
                  direction=5, time=T_2022, extras=())
    fields.update(changes)
    with pytest.raises(LocalProtocolError) as info:
        encode_body(LocationReport(**fields))
    assert info.value.field == field


def test_extra_accessor():
    assert REPORT_0200.extra(Fuel) == Fuel(5.5)
    assert REPORT_0200.extra(0x01) == Mileage(10.0)
    assert REPORT_0200.extra(SatelliteCount) is None and REPORT_0200.extra(0x31) is None


def test_location_basic_helpers():
    buf = Buffer(msg_id=0x0801)
    encode_location_basic(buf, 1, 2, 12.222222, 132.444444, 40, 6.0, 0, T_2018)
    raw = buf.getvalue()
    assert raw == BODY_0200[:LOCATION_BASIC_SIZE]
    assert decode_location_basic(Buffer(raw)) == (1, 2, 12.222222, 132.444444, 40, 6.0, 0,
                                                  T_2018)
    basic = LocationBasic.decode_from(Buffer(raw))
    assert basic == REPORT_0200.basic
    out = Buffer()
    basic.encode_into(out)
    assert out.getvalue() == raw
    with pytest.raises(TruncatedError):
        decode_location_basic(Buffer(raw[:27], 0x0801))


def test_bit_tables_match_the_standard():
    # 2013/2019 table 24 (status) and 25 (alarm)
    assert STATUS_BITS["NS_latitude"] == (2, 1) and STATUS_BITS["load_status"] == (8, 2)
    assert STATUS_BITS["running_status"] == (22, 1)
    assert len(ALARM_BITS) == 32 and ALARM_BITS["illegal_door_opening_alarm"] == 31


# -- 0x0201, 0x0500 -------------------------------------------------------------------------

# smallchi:JT808_0x0201Test.cs::Test1 (frame, 2013)
FRAME_0201 = bytes.fromhex("7E0201002811223344556622B83039" + BODY_0200.hex() + "517E")
# smallchi:JT808_0x0500Test.cs::Test1 (frame, 2013)
FRAME_0500 = bytes.fromhex("7E0500002811223344556622B803E8" + BODY_0200.hex() + "B57E")


@pytest.mark.parametrize("wire, cls, serial", [
    (FRAME_0201, LocationQueryResponse, 12345), (FRAME_0500, VehicleControlResponse, 1000)])
def test_replies_with_location(wire, cls, serial):
    frame = unpack(wire)
    message = decode(frame)
    assert message == cls(serial, REPORT_0200)
    assert pack(encode(message, phone=frame.header.phone, serial=frame.header.serial)) == wire
    with pytest.raises(TruncatedError) as info:
        decode_body(cls.MSG_ID, frame.body[:1])
    assert info.value.field == "reply_serial"


def test_seed_0201_body():
    # seed:wire_loction_report_0201_2013: reply serial 9 then the doc example body
    body = bytes.fromhex("0009") + SEED_BODY_0200
    message = decode_body(0x0201, body)
    assert message.reply_serial == 9 and encode_body(message) == body


# -- 0x8201, 0x8202, 0x8203 ----------------------------------------------------------------

def test_location_query_empty():
    # seed:decode_8201_query_location_2013
    frame = unpack(bytes.fromhex("7E820100000188888888880102097E"))
    assert decode(frame) == LocationQuery()
    assert encode_body(LocationQuery()) == b""
    with pytest.raises(RemoteProtocolError):
        decode_body(0x8201, b"\x00", strict=True)


@pytest.mark.parametrize("body, message", [
    ("00450000007B", TemporaryTracking(69, 123)),  # smallchi:JT808_0x8202Test.cs::Test1
    ("001E00000E10", TemporaryTracking(30, 3600)),  # seed:decode_8202_tracking_2013
])
def test_temporary_tracking(body, message):
    assert decode_body(0x8202, bytes.fromhex(body)) == message
    assert encode_body(message).hex().upper() == body


def test_temporary_tracking_stop_may_omit_validity_and_truncation():
    assert decode_body(0x8202, b"\x00\x00") == TemporaryTracking(0, 0)
    with pytest.raises(TruncatedError) as info:
        decode_body(0x8202, b"\x00\x05\x00")
    assert info.value.field == "location_tracking_validity_period"


def test_manual_alarm_confirm():
    # smallchi:JT808_0x8203Test.cs::Test1
    assert encode_body(ManualAlarmConfirm(5554, 123)).hex().upper() == "15B20000007B"
    # seed:decode_8203_confirm_alarm_2013
    message = decode(unpack(bytes.fromhex("7E820300060188888888880102000710100009037E")))
    assert message == ManualAlarmConfirm(7, 0x10100009)
    assert message.confirmed() == {
        "emergency_alarm": 1, "hazard_alarm": 1, "in_out_area_alarm": 1, "in_out_road_alarm": 0,
        "insufficient_or_too_long_travel_time_on_the_road_alarm": 0,
        "vehicle_illegal_ignition_alarm": 0, "vehicle_illegal_displacement_alarm": 1}
    with pytest.raises(LocalProtocolError):
        encode_body(ManualAlarmConfirm(70000, 0))


# -- 0x8500 --------------------------------------------------------------------------------

def test_vehicle_control_2013_and_2019_classes():
    assert MESSAGES[(V13, 0x8500)] is VehicleControl and MESSAGES[(V11, 0x8500)] is VehicleControl
    assert MESSAGES[(V19, 0x8500)] is VehicleControl2019
    # smallchi:JT808_0x8500Test.cs::Test1
    assert decode_body(0x8500, b"\x0c", V13) == VehicleControl(12)
    assert encode_body(VehicleControl(12), V13) == b"\x0c"
    with pytest.raises(LocalProtocolError):
        encode_body(VehicleControl(12), V19)


def test_vehicle_control_2019():
    # smallchi:JT808_0x8500Test.cs::Test_2019_2 (0xF001 is a vendor type: rest of the body)
    body = bytes.fromhex("0002000100F00101")
    message = decode_body(0x8500, body, V19)
    assert message == VehicleControl2019((VehicleControlItem(1, 0),
                                          VehicleControlItem(0xF001, b"\x01")))
    assert encode_body(message, V19) == body


def test_vehicle_control_2019_errors():
    with pytest.raises(RemoteProtocolError) as info:  # vendor type not last: length unknown
        decode_body(0x8500, bytes.fromhex("0002F001010001"), V19)
    assert info.value.field == "id"
    with pytest.raises(TruncatedError) as info:
        decode_body(0x8500, bytes.fromhex("00020001"), V19)
    assert info.value.field == "param"
    with pytest.raises(LocalProtocolError):
        encode_body(VehicleControl2019((VehicleControlItem(1, "x"),)), V19)
    with pytest.raises(LocalProtocolError):
        encode_body(VehicleControl2019((VehicleControlItem(1, 256),)), V19)


# -- 0x0704 --------------------------------------------------------------------------------

# smallchi:JT808_0x0704Test.cs::Test1 (frame, 2013)
FRAME_0704 = bytes.fromhex(
    "7E0704005311223344556622B80002000026000000010000000200BA7F0E07E4F11C0028003C000018071510"
    "1010010400000064020200370026000000020000000100CB735507E6A32300290036007818071510103001"
    "040000006002020042D47E")


def test_batch_report_smallchi():
    frame = unpack(FRAME_0704)
    message = decode(frame)
    assert message.location_type == 0 and len(message.items) == 2
    assert message.items[0] == LocationReport(1, 2, 12.222222, 132.444444, 40, 6.0, 0, T_2018,
                                              (Mileage(10.0), Fuel(5.5)))
    second = message.items[1]
    assert (second.alarm_flag, second.status, second.latitude, second.direction) == (
        2, 1, 13.333333, 120)
    assert pack(encode(message, phone=frame.header.phone, serial=frame.header.serial)) == FRAME_0704


def test_batch_report_seed_blind_area():
    # seed:wire_location_bulk_report_2013 (type 0) rebuilt as a blind-area batch (type 1)
    item = SEED_BODY_0200
    body = bytes.fromhex("000200") + (len(item).to_bytes(2, "big") + item) * 2
    message = decode_body(0x0704, body)
    assert encode_body(message) == body
    blind = LocationBatchReport(1, message.items)
    assert encode_body(blind)[:3] == b"\x00\x02\x01"


def test_batch_report_errors():
    item = SEED_MINIMAL_0200
    with pytest.raises(TruncatedError) as info:  # item length past the body
        decode_body(0x0704, b"\x00\x01\x00\x00\x40" + item, strict=True)
    assert info.value.field == "items"
    with pytest.raises(TruncatedError) as info:  # count says 2, one present
        decode_body(0x0704, b"\x00\x02\x00\x00\x1c" + item, strict=True)
    assert info.value.field == "item_length"
    with pytest.raises(TruncatedError):  # item shorter than a basic part
        decode_body(0x0704, b"\x00\x01\x00\x00\x05" + item[:5], strict=True)
    with pytest.raises(RemoteProtocolError):  # bytes after the last item
        decode_body(0x0704, b"\x00\x01\x00\x00\x1c" + item + b"\x00", strict=True)


# -- hypothesis round trips ----------------------------------------------------------------

times = st.one_of(st.none(), st.datetimes(min_value=dt.datetime(2000, 1, 1),
                                          max_value=dt.datetime(2099, 12, 31)).map(
    lambda t: t.replace(microsecond=0)))
u32 = st.integers(0, 0xFFFFFFFF)
u16 = st.integers(0, 0xFFFF)
raw_extras = st.builds(RawExtra, st.integers(0xE0, 0xFF), st.binary(max_size=20))
reports = st.builds(
    LocationReport, u32, u32.map(lambda s: s & ~0b1100),
    st.integers(-90_000_000, 90_000_000).map(lambda v: v / 1e6),
    st.integers(-180_000_000, 180_000_000).map(lambda v: v / 1e6),
    u16, u16.map(lambda v: v / 10), st.integers(0, 359), times,
    st.lists(st.one_of(raw_extras, st.builds(Mileage, u32.map(lambda v: v / 10)),
                       st.builds(SatelliteCount, st.integers(0, 255))),
             max_size=4).map(tuple))


@settings(max_examples=60, deadline=None)
@given(reports, st.sampled_from(list(Version)))
def test_report_round_trip(report, version):
    body = encode_body(report, version)
    back = decode_body(0x0200, body, version)
    assert encode_body(back, version) == body
    assert back.extras == report.extras and back.time == report.time
    assert (back.latitude, back.longitude) == (report.latitude, report.longitude) or \
        report.latitude == 0 or report.longitude == 0


@settings(max_examples=30, deadline=None)
@given(st.one_of(
    st.builds(LocationQueryResponse, u16, reports),
    st.builds(VehicleControlResponse, u16, reports),
    st.builds(LocationBatchReport, st.integers(0, 1), st.lists(reports, max_size=3).map(tuple)),
    st.builds(TemporaryTracking, u16, u32),
    st.builds(ManualAlarmConfirm, u16, u32),
    st.builds(VehicleControl, st.integers(0, 255)),
    st.just(LocationQuery()),
))
def test_other_messages_round_trip(message):
    body = encode_body(message, V13)
    assert encode_body(decode_body(message.MSG_ID, body, V13), V13) == body


@settings(max_examples=30, deadline=None)
@given(st.lists(st.builds(VehicleControlItem, st.just(1), st.integers(0, 1)), max_size=3),
       st.one_of(st.none(), st.builds(VehicleControlItem, st.integers(0xF001, 0xFFFF),
                                      st.binary(max_size=4))))
def test_vehicle_control_2019_round_trip(items, vendor):
    message = VehicleControl2019(tuple(items) + ((vendor,) if vendor else ()))
    body = encode_body(message, V19)
    assert decode_body(0x8500, body, V19) == message
