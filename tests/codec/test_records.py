"""Driving recorder, waybill, driver identity and CAN messages (``_records``).

Vectors: smallchi.jsonl record ids (SmallChi/JT808 C# unit tests) as cited per case;
layouts JT/T 808-2013 §8.35-8.41 and 2011/2019 as noted.
"""
from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given, settings, strategies as st

from jt808.codec import (MESSAGES, CanBusDataUpload, CanItem, DriverIdentityReport,
                         DriverIdentityRequest, ElectronicWaybill, RawMessage,
                         RecorderDataCollect, RecorderDataUpload, RecorderParamsDownload,
                         decode_body, encode_body)
from jt808.errors import LocalProtocolError, RemoteProtocolError, TruncatedError
from jt808.frame import Version

from codec_support import assert_both_ways, decode_prefixes

V11, V13, V19 = Version.V2011, Version.V2013, Version.V2019
PLUG = dt.datetime(2018, 8, 16, 9, 16, 16)

VECTORS = [
    ("JT808_0x8700Test.cs::Test_Deserilize_0x08", V13,
     RecorderDataCollect(8, bytes.fromhex("557A08000E00200322101010200323101010000129")),
     "08557A08000E00200322101010200323101010000129"),
    ("JT808_0x0700Test.cs::Test_Deserilize_0x02", V13,
     RecorderDataUpload(1, 2, bytes.fromhex("557A020006002003231010103B")),
     "000102557A020006002003231010103B"),
    ("JT808_0x8701Test.cs::Test_Deserilize_0x83", V19,
     RecorderParamsDownload(131, bytes.fromhex("557A83000600200323101010BA")),
     "83557A83000600200323101010BA"),
    ("JT808_0x0701Test.cs::Test2", V13,
     ElectronicWaybill(bytes.fromhex("0000014D000ABABA736D616C6C636869")),
     "000000100000014D000ABABA736D616C6C636869"),
    ("JT808_0x0702Test.cs::Test1_2", V13, DriverIdentityReport(2, PLUG), "02180816091616"),
    ("JT808_0x0702Test.cs::Test2_2", V13, DriverIdentityReport(1, PLUG, 1), "0118081609161601"),
    ("JT808_0x0702Test.cs::Test3_1", V13,
     DriverIdentityReport(1, PLUG, 0, "koike", "qwe123456aaa", "qwertx", dt.date(2018, 8, 16)),
     "0118081609161600056B6F696B6571776531323334353661616100000000000000000671776572747820180816"),
    ("JT808_0x0702Test.cs::Test_2019_2", V19,
     DriverIdentityReport(1, dt.datetime(2019, 12, 1, 11, 11, 11), 0, "koike", "qwe123456aaa",
                          "qwertx", dt.date(2019, 12, 1), "12345678901234567"),
     "0119120111111100056B6F696B65717765313233343536616161000000000000000006717765727478"
     "201912013132333435363738393031323334353637000000"),
    # JT/T 808-2011 §8.42: name len+STRING, id number STRING[20], certificate STRING[40],
    # agency len+STRING (layout of JT808_0x0702Test.cs::Test2011_2, padded at the end)
    ("JT/T 808-2011 0x0702", V11,
     DriverIdentityReport(driver_name="tk1", qualification_certificate_code="qwe123456aaa",
                          issuing_agency_name="qwertx", driver_id_number="123456789123456789"),
     "03746B31" + "313233343536373839313233343536373839" + "0000"
     + "717765313233343536616161" + "00" * 28 + "06717765727478"),
    ("JT808_0x0705Test.cs::Test2", V13, CanBusDataUpload(dt.time(20, 0, 5, 350000), (
        CanItem(1180420, bytes.fromhex("0102030401020304")),
        CanItem(84281096, bytes.fromhex("0103040506070801")))),
     "00022000050350001203040102030401020304050607080103040506070801"),
    # 0x0705 item id bits 31/30/29: channel CAN2, extended frame, averaged (2013 table 89)
    ("JT/T 808-2013 table 89", V19, CanBusDataUpload(dt.time(23, 59, 59, 999000), (
        CanItem(0x1FFFFFFF, bytes(8), 1, 1, 1),)),
     "0001" "2359590999" "FFFFFFFF" "0000000000000000"),
    ("JT/T 808-2013 §8.40 (empty body)", V13, DriverIdentityRequest(), ""),
]
IDS = [v[0] for v in VECTORS]


@pytest.mark.parametrize("source,version,message,body", VECTORS, ids=IDS)
def test_vector_both_ways(source, version, message, body):
    assert_both_ways(message, version, bytes.fromhex(body))


@pytest.mark.parametrize("source,version,message,body", VECTORS, ids=IDS)
def test_every_truncation(source, version, message, body):
    raw = bytes.fromhex(body)
    for cut, decoded, error in decode_prefixes(message, version, raw):
        if error is None:   # an opaque recorder block / a shorter 0x0702 stage is still a body
            assert encode_body(decoded, version) == raw[:cut]


def test_trailing_bytes():
    # 2013 0x0702 ends at the validity date: a 2019-style id number left over is an error
    body = bytes.fromhex(VECTORS[6][3]) + b"1" * 20
    with pytest.raises(RemoteProtocolError, match="20 bytes left"):
        decode_body(0x0702, body, V13, strict=True)
    # 2019 keeps bytes after the id number (e.g. face match value + UID) in ``extra``
    body = bytes.fromhex(VECTORS[7][3]) + b"\x63" + b"U" * 20
    report = decode_body(0x0702, body, V19)
    assert report.extra == b"\x63" + b"U" * 20 and encode_body(report, V19) == body
    for msg_id, raw in ((0x0705, VECTORS[9][3] + "00"), (0x0701, VECTORS[3][3] + "00"),
                        (0x8702, "00")):
        with pytest.raises(RemoteProtocolError, match="left after"):
            decode_body(msg_id, bytes.fromhex(raw), V13, strict=True)


def test_versions():
    assert (V11, 0x8702) not in MESSAGES and (V13, 0x8702) in MESSAGES
    assert isinstance(decode_body(0x8702, b"", V11), RawMessage)
    for msg_id in (0x8700, 0x0700, 0x8701, 0x0701, 0x0702, 0x0705):
        assert all((v, msg_id) in MESSAGES for v in (V11, V13, V19))


def test_waybill_length_past_the_end():
    with pytest.raises(TruncatedError) as info:
        decode_body(0x0701, bytes.fromhex("FFFFFFFF00"), V13)
    assert info.value.field == "data" and info.value.offset == 4


@pytest.mark.parametrize("body,field", [
    ("0118081609161600056B6F696B65" + "00" * 20 + "00" + "20181399", "certificate_validity"),
    ("0118081609161600056B6F696B65" + "00" * 20 + "00" + "2018AB01", "certificate_validity"),
    ("01181399091616", "time"),
])
def test_bad_dates_are_remote_errors(body, field):
    with pytest.raises(RemoteProtocolError) as info:
        decode_body(0x0702, bytes.fromhex(body), V13, strict=True)
    assert info.value.field == field


def test_bad_can_time_is_remote_error():
    with pytest.raises(RemoteProtocolError) as info:
        decode_body(0x0705, bytes.fromhex("00002500000000"), V13, strict=True)
    assert info.value.field == "receive_time"


@pytest.mark.parametrize("message,field", [
    (RecorderDataCollect(256), "cmd_word"),
    (RecorderDataCollect(1, "text"), "cmd_data"),
    (RecorderDataUpload(-1, 1), "reply_serial"),
    (ElectronicWaybill(12), "data"),
    (DriverIdentityReport(1, PLUG, 0, "x" * 256), "driver_name"),
    (DriverIdentityReport(1, PLUG, 0, qualification_certificate_code="q" * 21),
     "qualification_certificate_code"),
    (DriverIdentityReport(1, PLUG, 0, certificate_validity="20200101"), "certificate_validity"),
    (DriverIdentityReport(1, "now"), "time"),
    (CanBusDataUpload(dt.time(1, 2, 3, 1), ()), "receive_time"),
    (CanBusDataUpload(dt.time(1), (CanItem(1 << 29, bytes(8)),)), "can_id"),
    (CanBusDataUpload(dt.time(1), (CanItem(1, bytes(8), 2),)), "can_id"),
    (CanBusDataUpload(dt.time(1), (CanItem(1, bytes(7)),)), "can_data"),
    (CanBusDataUpload(dt.time(1), (CanItem(1, "12345678"),)), "can_data"),
])
def test_bad_local_values(message, field):
    with pytest.raises(LocalProtocolError) as info:
        encode_body(message, V13)
    assert info.value.field == field


# -- hypothesis round trips ------------------------------------------------------------

blobs = st.binary(max_size=40)
names = st.text(st.characters(codec="gbk"), max_size=12)
fixed = st.text(st.characters(codec="gbk", exclude_characters="\x00"), max_size=10)
times = st.none() | st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2099, 12, 31, 23, 59, 59)
                                 ).map(lambda t: t.replace(microsecond=0))
dates = st.none() | st.dates(dt.date(1000, 1, 1), dt.date(9999, 12, 31))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 255), st.integers(0, 0xFFFF), blobs)
def test_recorder_roundtrip(cmd, serial, data):
    for message in (RecorderDataCollect(cmd, data), RecorderParamsDownload(cmd, data),
                    RecorderDataUpload(serial, cmd, data), ElectronicWaybill(data)):
        for version in (V11, V13, V19):
            assert decode_body(message.MSG_ID, encode_body(message, version), version) == message


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([1, 2, 3]), times, st.integers(0, 4), names, fixed, names, dates, fixed,
       st.binary(max_size=8), st.sampled_from([V11, V13, V19]))
def test_driver_identity_roundtrip(status, when, result, name, code, agency, validity, number,
                                   extra, version):
    report = DriverIdentityReport(status, when, result, name, code, agency, validity, number,
                                  extra)
    body = encode_body(report, version)
    decoded = decode_body(0x0702, body, version)
    assert encode_body(decoded, version) == body
    if version is V11:
        assert (decoded.driver_name, decoded.qualification_certificate_code,
                decoded.issuing_agency_name, decoded.driver_id_number) == (name, code, agency,
                                                                          number)
    elif status == 1 and result == 0:
        expect = report if version is V19 else attrs_without_2019(report)
        assert decoded == expect


def attrs_without_2019(report: DriverIdentityReport) -> DriverIdentityReport:
    return attrs.evolve(report, driver_id_number="", extra=b"")


can_items = st.builds(CanItem, st.integers(0, 0x1FFFFFFF), st.binary(min_size=8, max_size=8),
                      st.integers(0, 1), st.integers(0, 1), st.integers(0, 1))


@settings(max_examples=40, deadline=None)
@given(st.times().map(lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000)),
       st.lists(can_items, max_size=5))
def test_can_roundtrip(when, items):
    message = CanBusDataUpload(when, tuple(items))
    assert decode_body(0x0705, encode_body(message, V13), V13) == message
