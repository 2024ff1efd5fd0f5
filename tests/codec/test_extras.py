"""Location extras (``jt808.codec._extras``): JT/T 808-2013 table 27/28, 2019 table 27/28.

``smallchi:<test>`` cites a record id of ``tests/vectors/smallchi.jsonl``
(``SmallChi/JT808:<file>::<test>``); ``seed:<case>`` a case of ``seed_impl.jsonl``.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jt808.codec._extras import (
    EXTRA_TYPES, AlarmEventId, AnalogInputs, AreaAlarmInfo, CarriageTemperature, Fuel,
    IoStatus, Mileage, OverspeedInfo, RawExtra, RoadTimeInfo, SatelliteCount, SignalStrength,
    TachographSpeed, TirePressure, VehicleSignals, decode_extras, encode_extras,
)
from jt808.errors import LocalProtocolError, TruncatedError

# smallchi:JT808_0x0200Test.cs::Test_all_attcahids: the extras after the 28-byte basic part
ALL_2013 = bytes.fromhex(
    "01040000006402020037030200380402000111050100000001120601000000010113070000000200220125"
    "04000000172A0200F42B04000000F2300102310105")
ALL_2013_ITEMS = (
    Mileage(10.0), Fuel(5.5), TachographSpeed(5.6), AlarmEventId(1), OverspeedInfo(1, 1),
    AreaAlarmInfo(1, 1, 1), RoadTimeInfo(2, 34, 1), VehicleSignals(23), IoStatus(244),
    AnalogInputs(ad0=242, ad1=0), SignalStrength(2), SatelliteCount(5))


def decode(raw: bytes) -> tuple:
    return decode_extras(raw, 0, len(raw))


def test_every_2013_extra_both_ways():
    assert decode(ALL_2013) == ALL_2013_ITEMS
    assert encode_extras(ALL_2013_ITEMS) == ALL_2013


@pytest.mark.parametrize("hex_, item", [
    # seed:lai_doc_value and the reference §2.4 example: mileage 100, fuel 32.5, speed 0
    ("0104000003e8", Mileage(100.0)), ("02020145", Fuel(32.5)), ("03020000", TachographSpeed(0.0)),
    ("0402000a", AlarmEventId(10)),  # seed:lai_alarm_event_id_10
    ("110100", OverspeedInfo(0)),  # seed:lai_over_speed_alarm_0
    ("11050200000005", OverspeedInfo(2, 5)),  # seed:lai_over_speed_alarm_2_5
    ("1206020000000501", AreaAlarmInfo(2, 5, 1)),  # seed:lai_in_out_area_2_5_1
    ("130700000002000501", RoadTimeInfo(2, 5, 1)),  # seed:lai_road_time_2_5_1
    ("250400007fff", VehicleSignals(0x7FFF)),  # seed:lai_vehicle_signal_all1
    ("2a020003", IoStatus(3)),  # seed:lai_io_status_1_1
    ("30011f", SignalStrength(31)), ("31010c", SatelliteCount(12)),  # seed:lai_signal/satellites
    # 2019 table 27: 0x2B bits 0-15 AD0, 16-31 AD1 (the seed writes 2b020101: defect B30)
    ("2b0400010001", AnalogInputs(1, 1)), ("2b0400561234", AnalogInputs(0x1234, 0x56)),
    # 2019 table 27: 0x05 BYTE[30], 0xFF where no tyre (seed:lai_tire_pressure_doc)
    ("051ef0f0ebe6" + "ff" * 26, TirePressure((240, 240, 235, 230) + (255,) * 26)),
    # 2019 table 27: 0x06 WORD, top bit set for negative (the seed's 060211001: defect B29)
    ("06020019", CarriageTemperature(25)), ("06028005", CarriageTemperature(-5)),
    ("06027fff", CarriageTemperature(32767)), ("0602ffff", CarriageTemperature(-32767)),
])
def test_single_extra_vectors(hex_, item):
    assert item.extra_bytes().hex() == hex_
    assert decode(bytes.fromhex(hex_)) == (item,)
    assert EXTRA_TYPES[item.EXTRA_ID] is type(item)


def test_short_tire_list_is_padded():
    assert TirePressure((240, 240)).extra_bytes() == bytes.fromhex("051ef0f0") + b"\xff" * 28


@pytest.mark.parametrize("hex_", [
    "010200ff",  # mileage with a WORD
    "0203000000",  # fuel with 3 bytes
    "05020101",  # tyres not 30
    "06028000",  # temperature "minus zero" would re-encode as 0000
    "11020000",  # overspeed with 2 bytes
    "110101",  # overspeed type 1 without area id
    "12050000000000", "1300", "2503000000", "2a0100", "2b020101", "300200ff", "3100",
])
def test_length_disagreeing_with_layout_kept_raw(hex_):
    raw = bytes.fromhex(hex_)
    items = decode(raw)
    assert items == (RawExtra(raw[0], raw[2:]),)
    assert encode_extras(items) == raw


def test_unknown_and_vendor_extras_kept_in_order():
    # 2013 table 26: 0xE0 length of custom info, 0xE1-0xFF vendor; 0x14-0x24 reserved
    raw = bytes.fromhex("E00100" "300105" "FE03010203" "1400" "EB0400CE06D6")
    items = decode(raw)
    assert [item.extra_id for item in items] == [0xE0, 0x30, 0xFE, 0x14, 0xEB]
    assert items[1] == SignalStrength(5) and items[2] == RawExtra(0xFE, b"\x01\x02\x03")
    assert encode_extras(items) == raw


def test_decode_respects_bounds_and_offsets():
    raw = b"\xaa\xbb" + bytes.fromhex("300105") + b"\xcc"
    assert decode_extras(raw, 2, 5) == (SignalStrength(5),)
    with pytest.raises(TruncatedError) as info:
        decode_extras(raw, 2, 4)
    assert (info.value.field, info.value.offset) == ("extras[0x30]", 2)
    with pytest.raises(TruncatedError) as info:
        decode_extras(raw, 2, 3, msg_id=0x0704)
    assert (info.value.field, info.value.offset, info.value.msg_id) == ("extras", 2, 0x0704)


def test_truncated_at_every_byte():
    for cut in range(len(ALL_2013)):
        try:
            items = decode(ALL_2013[:cut])
        except TruncatedError as exc:
            assert exc.field.startswith("extras") and exc.offset is not None
        else:
            assert encode_extras(items) == ALL_2013[:cut]


@pytest.mark.parametrize("item, field", [
    (Mileage(-0.1), "mileage"), (Mileage(float("nan")), "mileage"),
    (Mileage(429496729.6), "mileage"), (Fuel(6553.6), "fuel"), (Fuel("1"), "fuel"),
    (TachographSpeed(-1), "tachograph_speed"), (AlarmEventId(65536), "alarm_event_id"),
    (TirePressure(tuple(range(31))), "tire_pressure"), (TirePressure((256,)), "tire_pressure"),
    (CarriageTemperature(32768), "carriage_temperature"),
    (CarriageTemperature(-32768), "carriage_temperature"),
    (CarriageTemperature(1.5), "carriage_temperature"),
    (OverspeedInfo(2), "area_segment_id"), (OverspeedInfo(1, -1), "overspeed"),
    (AreaAlarmInfo(1, 1, 256), "area_alarm"), (RoadTimeInfo(1, 65536, 0), "road_time"),
    (VehicleSignals(1 << 32), "vehicle_signals"), (IoStatus(-1), "io_status"),
    (AnalogInputs(65536, 0), "analog"), (SignalStrength(256), "signal_strength"),
    (SatelliteCount(-1), "satellites"), (RawExtra(0xE0, bytes(256)), "extra_data"),
])
def test_values_that_do_not_fit(item, field):
    with pytest.raises(LocalProtocolError) as info:
        item.extra_bytes()
    assert info.value.field == field


def test_encode_rejects_non_extras():
    with pytest.raises(LocalProtocolError):
        encode_extras([1])


def test_flag_helpers():
    signals = VehicleSignals.from_names(right_turn=1, brake=1)
    assert signals.flags == 0b10100 and signals["right_turn"] == 1 and signals["left_turn"] == 0
    assert IoStatus(2).as_dict() == {"deep_sleep": 0, "sleep": 1}
    with pytest.raises(LocalProtocolError):
        IoStatus.from_names(nap=1)


u32 = st.integers(0, 0xFFFFFFFF)
u16 = st.integers(0, 0xFFFF)
u8 = st.integers(0, 0xFF)
extras = st.one_of(
    st.builds(Mileage, u32.map(lambda v: v / 10)),
    st.builds(Fuel, u16.map(lambda v: v / 10)),
    st.builds(TachographSpeed, u16.map(lambda v: v / 10)),
    st.builds(AlarmEventId, u16),
    st.builds(TirePressure, st.lists(u8, min_size=30, max_size=30).map(tuple)),
    st.builds(CarriageTemperature, st.integers(-0x7FFF, 0x7FFF)),
    st.builds(OverspeedInfo, st.just(0)), st.builds(OverspeedInfo, st.integers(1, 4), u32),
    st.builds(AreaAlarmInfo, u8, u32, u8), st.builds(RoadTimeInfo, u32, u16, u8),
    st.builds(VehicleSignals, u32), st.builds(IoStatus, u16), st.builds(AnalogInputs, u16, u16),
    st.builds(SignalStrength, u8), st.builds(SatelliteCount, u8),
    st.builds(RawExtra, st.sampled_from([0x07, 0x1A, 0x51, 0xE0, 0xEB, 0xFF]),
              st.binary(max_size=40)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(extras, max_size=6))
def test_round_trip(items):
    raw = encode_extras(items)
    back = decode(raw)
    assert encode_extras(back) == raw
    typed = [item for item in items if not isinstance(item, RawExtra)]
    assert [item for item in back if not isinstance(item, RawExtra)] == typed
