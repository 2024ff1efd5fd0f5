"""Tolerant decoding (issue 11; the default) against ``strict=True`` (the standard).

Each quirk below is one issue 11 lists, with the bytes quoted there or built field by
field from the clause named. Tolerant: the message decodes, ``.quirks`` says what was
let through, and ``encode_body`` in the same version gives the received bytes back.
Strict: the typed error of before.
"""
from __future__ import annotations

import pytest

from jt808.codec import (MediaDataUpload, Mileage, SetTerminalParams,
                         SignalStrength, StoredMediaSearchResponse, TemporaryTracking,
                         TerminalControl, TerminalParam, TerminalPropertiesResponse,
                         TerminalRegister, decode_body, encode_body)
from jt808.errors import RemoteProtocolError, TruncatedError
from jt808.frame import Version

V11, V13, V19 = Version.V2011, Version.V2013, Version.V2019

# 2013 §8.18 0x0200 basic part: alarm, status, lat 31.824845, lng 117.24091, alt 120,
# speed 60.5, dir 90, time 2022-06-27 10:11:30 (seed vector seed:decode_0200_minimal)
BASIC = bytes.fromhex("0000000000000003" "01E59BCD06FCF44E0078025D005A220627101130")
MILEAGE_100 = bytes.fromhex("0104000003e8")        # extra 0x01, 100.0 km (2013 table 27)
SIGNAL_5 = bytes.fromhex("300105")                 # extra 0x30, level 5


def _both_ways(msg_id: int, raw: bytes, version: Version = V13):
    message = decode_body(msg_id, raw, version)
    assert encode_body(message, version) == raw
    return message


def test_trailing_bytes_kept_and_reencoded():
    raw = BASIC[:28] + bytes.fromhex("deadbeef")
    # the extras reader sees de ad: an item of 0xAD bytes, cut short
    message = _both_ways(0x0200, raw)
    assert message.extras == () and message.trailing == bytes.fromhex("deadbeef")
    assert any("trailing" in quirk for quirk in message.quirks)
    with pytest.raises(TruncatedError):
        decode_body(0x0200, raw, strict=True)


def test_trailing_bytes_after_a_fixed_body():
    # 0x8202 interval 30, validity 3600 (seed:decode_8202_tracking_2013), then 2 stray bytes
    raw = bytes.fromhex("001E00000E10" "0102")
    message = _both_ways(0x8202, raw)
    assert message == TemporaryTracking(30, 3600) and message.trailing == b"\x01\x02"
    with pytest.raises(RemoteProtocolError, match="2 bytes left after the last field"):
        decode_body(0x8202, raw, strict=True)


def test_cut_last_extra_kept_raw_earlier_extras_decoded():
    raw = BASIC + MILEAGE_100 + SIGNAL_5 + bytes.fromhex("3102")   # 0x31 says 2, has 0
    message = _both_ways(0x0200, raw)
    assert message.extras == (Mileage(100.0), SignalStrength(5))
    assert message.trailing == bytes.fromhex("3102")
    assert "extra item cut short (2 bytes left) ('extras' at offset 37)" in message.quirks
    with pytest.raises(TruncatedError, match=r"extras\[0x31\]"):
        decode_body(0x0200, raw, strict=True)


def test_overlong_standard_extra_kept_raw_later_extras_decoded():
    raw = BASIC + bytes.fromhex("010500000003e8") + SIGNAL_5      # 0x01 with 5 bytes
    message = _both_ways(0x0200, raw)
    assert message.extras[0].extra_id == 0x01 and message.extras[1] == SignalStrength(5)


def test_cut_parameter_item_kept_raw_count_byte_kept():
    # 0x8103 (2013 §8.8): count 3, then 0x0001 DWORD 30, 0x0013 "a", 0x0002 cut short
    raw = bytes.fromhex("03" "00000001040000001e" "000000130161" "000000020400")
    message = _both_ways(0x8103, raw)
    assert message == SetTerminalParams((TerminalParam(1, 30), TerminalParam(0x13, "a")))
    assert message.trailing == bytes.fromhex("000000020400")
    assert any("count says 3, 2 whole items" in quirk for quirk in message.quirks)
    with pytest.raises(TruncatedError):
        decode_body(0x8103, raw, strict=True)


def test_impossible_bcd_time_is_none_with_its_bytes_kept():
    raw = BASIC[:22] + bytes.fromhex("221340251130")             # month 13, day 40
    message = _both_ways(0x0200, raw)
    assert message.time is None
    assert any("BCD time 221340251130 is not a date" in quirk for quirk in message.quirks)
    with pytest.raises(RemoteProtocolError, match="is not a date"):
        decode_body(0x0200, raw, strict=True)
    # a changed copy no longer carries the kept bytes: None is written as zeros
    import attrs
    assert encode_body(attrs.evolve(message, time=None))[22:28] == bytes(6)


def _properties(iccid_bcd: bytes) -> bytes:
    # 0x0107 2013 §8.11: type WORD, maker BYTE[5], model BYTE[20], id BYTE[7], ICCID
    # BCD[10], hardware version (len BYTE + text), firmware version, GNSS BYTE, comm BYTE
    return (bytes.fromhex("0001") + b"70111" + b"M1".ljust(20, b"\0") + b"T1".ljust(7, b"\0")
            + iccid_bcd + b"\x02H1" + b"\x02F1" + b"\x03\x01")


def test_iccid_with_non_decimal_nibbles_kept_as_hex_digits():
    # issue 11: 4eb6fb4afd9e in a BCD field
    raw = _properties(bytes.fromhex("8986" "4eb6fb4afd9e" "0123"))
    message = _both_ways(0x0107, raw)
    assert isinstance(message, TerminalPropertiesResponse)
    assert message.iccid == "89864eb6fb4afd9e0123"
    assert any("non-decimal BCD" in quirk for quirk in message.quirks)
    with pytest.raises(RemoteProtocolError, match="not BCD"):
        decode_body(0x0107, raw, strict=True)


def test_nul_padding_on_the_left_of_a_fixed_string_is_stripped():
    # issue 11: a driver id "\x00\x00\x0012345678901234567" -> "12345678901234567";
    # here the 0x0107 model field BYTE[20] padded on the left
    raw = (bytes.fromhex("0001") + b"70111" + b"\0\0\0EC200U".ljust(20, b"\0")
           + b"T1".ljust(7, b"\0") + bytes(10) + b"\x02H1" + b"\x02F1" + b"\x03\x01")
    message = _both_ways(0x0107, raw)
    assert message.terminal_model == "EC200U"
    assert decode_body(0x0107, raw, strict=True).terminal_model == "\0\0\0EC200U"


# -- 2011 and 2013 bodies told apart (the headers look alike) ------------------------

REGISTER_VIN = TerminalRegister(44, 100, "70111", "EC200U", "T0001", 0, "LSVAU2180N2183294")


def test_2011_register_with_17_char_vin_read_as_2011():
    raw = encode_body(REGISTER_VIN, V11)
    assert len(raw) >= 37                         # as long as a 2013 body
    # strict: read as told, and wrong (issue 11's 'EC200U\x00\x00T0001\x00\x00\x00LSVA')
    assert decode_body(0x0100, raw, V13, strict=True).terminal_model.startswith("EC200U\0\0T0001")
    message = decode_body(0x0100, raw, V13)
    assert message == REGISTER_VIN
    assert message.tolerated.version is V11
    assert encode_body(message, V11) == raw


def test_2013_register_given_as_2011_read_as_2013():
    raw = encode_body(REGISTER_VIN, V13)
    message = decode_body(0x0100, raw, V11)
    assert message == REGISTER_VIN and message.tolerated.version is V13


@pytest.mark.parametrize("version", [V11, V13])
def test_short_register_bodies_keep_the_version_given(version):
    register = TerminalRegister(44, 100, "70111", "M1", "T1", 1, "粤B12345")
    raw = encode_body(register, version)
    message = decode_body(0x0100, raw, version)
    assert message == register and message.quirks == ()


def test_2011_media_upload_told_apart_by_the_jpeg_magic():
    # 0x0801 2011: id DWORD, type, format 0 (JPEG), event, channel, then the data
    upload = MediaDataUpload(7, 0, 0, 1, 1, None, b"\xff\xd8\xff\xe0" + bytes(40))
    raw = encode_body(upload, V11)
    message = decode_body(0x0801, raw, V13)
    assert message == upload and message.tolerated.version is V11


def test_2011_stored_media_items_told_apart_by_length():
    # 0x0802: reply serial, count 1, then one 31-byte 2011 item (type, channel, event,
    # location basic 28)
    raw = bytes.fromhex("0005" "0001" "000101") + BASIC
    message = decode_body(0x0802, raw, V13)
    assert isinstance(message, StoredMediaSearchResponse)
    assert message.medias[0].media_id is None and message.tolerated.version is V11
    assert encode_body(message, V11) == raw


# -- issue 14 items ------------------------------------------------------------------

def test_stop_tracking_two_byte_body_reencodes_as_two_bytes():
    # 2013 §8.21: 0x8202 interval 0 "stop tracking" may omit the validity DWORD
    message = decode_body(0x8202, bytes.fromhex("0000"), strict=True)
    assert message == TemporaryTracking(0, 0)
    assert encode_body(message) == bytes.fromhex("0000")
    assert encode_body(TemporaryTracking(0, 0)) == bytes.fromhex("000000000000")


def test_terminal_control_parsed_with_a_gbk_circled_digit():
    # 0x8105 command word 2 (2013 table 20): the tcp port field as text "①2" (GBK a2d9 32)
    params = b"0;;;;;host;" + "①2".encode("gbk") + b";7;9"
    parsed = TerminalControl(2, params).parsed
    assert parsed["addr"] == "host" and parsed["tcp_port"] == "①2"


def test_impossible_certificate_validity_is_none_with_its_bytes_kept():
    """0x0702 (2013 §8.47): certificate validity BCD[4] YYYYMMDD, the last field in 2013;
    a device's 2023-13-40 reads as None, kept, not a lost driver record."""
    import datetime as dt
    from jt808.codec import DriverIdentityReport
    report = DriverIdentityReport(1, dt.datetime(2024, 1, 2, 3, 4, 5), 0, "Zhang", "Q123",
                                  "Agency", dt.date(2030, 1, 1))
    raw = encode_body(report, V13)[:-4] + bytes.fromhex("20231340")
    message = _both_ways(0x0702, raw)
    assert message.certificate_validity is None and message.driver_name == "Zhang"
    assert any("BCD date 20231340 is not a date" in quirk for quirk in message.quirks)
    with pytest.raises(RemoteProtocolError, match="is not a date") as info:
        decode_body(0x0702, raw, V13, strict=True)
    assert info.value.field == "certificate_validity" and info.value.offset == len(raw) - 4


def test_impossible_can_receive_time_is_none_with_its_bytes_kept():
    """0x0705 (2013 §8.48): count WORD, receive time BCD[5] hhmmss + ms; hour 25."""
    import datetime as dt
    from jt808.codec import CanBusDataUpload, CanItem
    upload = CanBusDataUpload(dt.time(10, 11, 12, 345000), (CanItem(0x123, bytes(8)),))
    raw = bytearray(encode_body(upload, V13))
    raw[2:7] = bytes.fromhex("2561120345")
    message = _both_ways(0x0705, bytes(raw))
    assert message.receive_time is None and message.items == upload.items
    assert any("BCD time 2561120345 is not a time" in quirk for quirk in message.quirks)
    with pytest.raises(RemoteProtocolError, match="is not a time") as info:
        decode_body(0x0705, bytes(raw), V13, strict=True)
    assert info.value.offset == 2
