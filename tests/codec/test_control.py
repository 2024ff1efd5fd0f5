"""Terminal control, properties, upgrade: 0x8105, 0x8107, 0x0107, 0x8108, 0x0108
(jt808.codec._control).

Vectors: SmallChi records (``tests/vectors/smallchi.jsonl``, cited by id), the seed's
recorded frames (``seed_impl.jsonl``, cited by case), JT/T 808-2013 tables 18-22 / 2019
tables for layouts.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from jt808.codec import (COMM_PROPERTY_BITS, CONNECT_PARAM_FIELDS, GNSS_PROPERTY_BITS,
                         TERMINAL_TYPE_BITS, UPGRADE_PARAM_FIELDS, QueryTerminalProperties,
                         TerminalControl, TerminalPropertiesResponse, UpgradePackage,
                         UpgradeResult, decode, decode_body, encode_body, flags_to_bits)
from jt808.errors import LocalProtocolError, RemoteProtocolError, TruncatedError
from jt808.frame import Version, unpack

VERSIONS = list(Version)

# SmallChi/JT808:JT808_0x8105Test.cs::Test1 (frame, 2013): command word 1 with SmallChi's
# own parameter string (it writes every field of both commands)
CONTROL_UPGRADE = bytes.fromhex(
    "7E81050048012345678900000101013B544B4E616D653B544B3B544B3132333B7777772E6261696475"
    "2E636F6D3B22663B0CEA3B31323334353B636F64653B322E303B312E303B7777772E544B2E636F6D3B"
    "003C3BB27E")
# SmallChi/JT808:JT808_0x8105Test.cs::Test2 (frame): command word 5
CONTROL_FACTORY_RESET = bytes.fromhex("7E81050001012345678900000105087E")
# seed_impl.jsonl decode_8105_cmd4_reset_2013 (frame): command word 4
SEED_CONTROL_RESET = bytes.fromhex("7E810500010188888888880102040B7E")
# SmallChi/JT808:JT808_0x0107Test.cs::Test1 (frame, 2013)
PROPERTIES_2013 = bytes.fromhex(
    "7E0107004111223344556622B80005313036303131303435353534353935353130330000000000003464"
    "36613133001234567890123456789007616263646566670A706F69757974726577710709EA7E")
# SmallChi/JT808:JT808_0x0107Test.cs::Test5 (frame, 2019, a Quectel EC200A capture):
# manufacturer BYTE[11], model BYTE[30], terminal id BYTE[30]
PROPERTIES_2019 = bytes.fromhex(
    "7E0107407F01000008686280748662930096000F00000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000003000000000000000000000000000000000000000000000"
    "000000000000008986083319233076050122454332303041455548415230314132364D31365F36393630"
    "3939323035323131303606362E322E383403FFE97E")
# SmallChi/JT808:JT808_0x8108Test.cs::Test1 (body, 2013)
UPGRADE_2013 = bytes.fromhex("3461736466670C717363766869757974726577000000050102030405")
# SmallChi/JT808:JT808_0x0108Test.cs::Test1 (body)
RESULT = bytes.fromhex("3400")
# seed_impl.jsonl wire_upgrade_result_report_2013 (frame): type 0, result 0
SEED_RESULT = bytes.fromhex("7E0108000201888888888800000000827E")


# -- 0x8105 -------------------------------------------------------------------------

def test_control_upgrade_vector_kept_exactly():
    frame = unpack(CONTROL_UPGRADE)
    message = decode(frame)
    assert message.cmd_word == 1
    assert message.cmd_params == frame.body[1:]
    assert encode_body(message) == frame.body
    parsed = message.parsed
    assert (parsed["dial_point_name"], parsed["addr"], parsed["tcp_port"],
            parsed["udp_port"]) == ("TKName", "www.baidu.com", 0x2266, 0x0CEA)


@pytest.mark.parametrize("frame_hex, word", [(CONTROL_FACTORY_RESET, 5),
                                             (SEED_CONTROL_RESET, 4)])
def test_control_without_params(frame_hex, word):
    frame = unpack(frame_hex)
    message = decode(frame)
    assert message == TerminalControl(word)
    assert message.parsed == {}   # the seed's callback gives cmd_params {} here
    assert encode_body(message) == frame.body


def test_upgrade_builder_round_trips_through_parsed():
    values = dict(url="http://h/fw.bin", dial_point_name="CMNET", dial_user_name="u",
                  dial_password="p", addr="10.0.0.1", tcp_port=8806, udp_port=59,
                  manufacturer_id="QUEC", hardware_version="HW1", firmware_version="FW2",
                  conn_timeout=60)
    message = TerminalControl.upgrade(**values)
    assert [name for name, _ in UPGRADE_PARAM_FIELDS] == list(values)
    assert message.cmd_params == (b"http://h/fw.bin;CMNET;u;p;10.0.0.1;\x22\x66;\x00\x3b;"
                                  b"QUEC\x00;HW1;FW2;\x00\x3c")
    assert message.parsed == values
    assert decode_body(0x8105, encode_body(message)) == message


def test_connect_server_builder():
    values = dict(conn_ctrl=0, auth_code="AUTH", dial_point_name="", dial_user_name="",
                  dial_password="", addr="example.com", tcp_port=7611, udp_port=0,
                  conn_timeout=5)
    message = TerminalControl.connect_server(**values)
    assert message.cmd_word == 2
    assert [name for name, _ in CONNECT_PARAM_FIELDS] == list(values)
    assert message.parsed == values
    back = TerminalControl.connect_server(conn_ctrl=1)
    assert back.cmd_params == b"\x01" and back.parsed == {"conn_ctrl": 1}


def test_parsed_accepts_ports_written_as_text():
    message = TerminalControl(2, b"\x00;AUTH;apn;;;host;8806;9000;120")
    assert message.parsed == dict(conn_ctrl=0, auth_code="AUTH", dial_point_name="apn",
                                  dial_user_name="", dial_password="", addr="host",
                                  tcp_port=8806, udp_port=9000, conn_timeout=120)


def test_parsed_two_byte_word_field_is_binary_as_the_standard_says():
    # "30" could be text; the standard's WORD reading wins (0x3330)
    assert TerminalControl(2, b"\x00;A;;;;h;\x1d\xbb;\x00\x00;30").parsed["conn_timeout"] \
        == 0x3330


def test_parsed_short_string_stops_early():
    assert TerminalControl(1, b"http://x").parsed == {"url": "http://x"}
    assert TerminalControl(1, b";").parsed == {"url": ""}


@pytest.mark.parametrize("builder, values, field", [
    ("upgrade", {"colour": 1}, "cmd_params"),
    ("upgrade", {"url": "a;b"}, "cmd_params.url"),
    ("upgrade", {"manufacturer_id": "TOOLONG"}, "cmd_params.manufacturer_id"),
    ("upgrade", {"tcp_port": 65536}, "cmd_params.tcp_port"),
    ("upgrade", {"tcp_port": -1}, "cmd_params.tcp_port"),
    ("upgrade", {"tcp_port": 0x3B01}, "cmd_params.tcp_port"),   # reads back as empty
    ("upgrade", {"tcp_port": "port"}, "cmd_params.tcp_port"),
    ("connect_server", {"conn_ctrl": 256}, "cmd_params.conn_ctrl"),
])
def test_control_builder_rejects(builder, values, field):
    with pytest.raises(LocalProtocolError) as info:
        getattr(TerminalControl, builder)(**values)
    assert info.value.field == field


def test_control_bad_cmd_word_and_truncation():
    with pytest.raises(LocalProtocolError) as info:
        encode_body(TerminalControl(256))
    assert info.value.field == "cmd_word"
    with pytest.raises(TruncatedError) as trunc:
        decode_body(0x8105, b"")
    assert (trunc.value.field, trunc.value.offset) == ("cmd_word", 0)


# -- 0x8107 / 0x0107 ----------------------------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
def test_query_properties_is_empty(version):
    assert decode_body(0x8107, b"", version) == QueryTerminalProperties()
    assert encode_body(QueryTerminalProperties(), version) == b""
    with pytest.raises(RemoteProtocolError):
        decode_body(0x8107, b"\x01", version, strict=True)


def test_properties_2013_vector_both_ways():
    frame = unpack(PROPERTIES_2013)
    expected = TerminalPropertiesResponse(5, "10601", "10455545955103", "4d6a13",
                                          "12345678901234567890", "abcdefg", "poiuytrewq", 7, 9)
    assert decode(frame) == expected
    assert encode_body(expected) == frame.body


def test_properties_2019_quectel_capture():
    frame = unpack(PROPERTIES_2019)
    message = decode(frame)
    assert message.iccid == "89860833192330760501"
    assert message.hardware_version == "EC200AEUHAR01A26M16_69609920521106"
    assert (message.firmware_version, message.gnss_properties, message.comm_properties) \
        == ("6.2.84", 3, 0xFF)
    assert encode_body(message, Version.V2019) == frame.body


@pytest.mark.parametrize("version, size", [(Version.V2011, 2 + 5 + 20 + 7 + 10 + 4),
                                           (Version.V2013, 2 + 5 + 20 + 7 + 10 + 4),
                                           (Version.V2019, 2 + 11 + 30 + 30 + 10 + 4)])
def test_properties_widths_per_version(version, size):
    message = TerminalPropertiesResponse(1, "M", "T", "I", "8986", "", "", 0, 0)
    body = encode_body(message, version)
    assert len(body) == size
    assert decode_body(0x0107, body, version) == TerminalPropertiesResponse(
        1, "M", "T", "I", "00000000000000008986", "", "", 0, 0)


def test_properties_truncated_at_every_byte():
    body = unpack(PROPERTIES_2013).body
    for cut in range(len(body)):
        with pytest.raises(TruncatedError) as info:
            decode_body(0x0107, body[:cut])
        assert info.value.field and info.value.offset is not None


def test_properties_iccid_not_bcd_is_remote_error():
    body = bytearray(unpack(PROPERTIES_2013).body)
    body[34] = 0xAB  # first ICCID byte (2 + 5 + 20 + 7)
    with pytest.raises(RemoteProtocolError) as info:
        decode_body(0x0107, bytes(body), strict=True)
    assert (info.value.field, info.value.offset) == ("iccid", 34)


@pytest.mark.parametrize("change, field", [
    ({"manufacturer_id": "TOOLONG"}, "manufacturer_id"),
    ({"terminal_id": "12345678"}, "terminal_id"),
    ({"iccid": "1" * 21}, "iccid"),
    ({"iccid": "8986F"}, "iccid"),
    ({"hardware_version": "x" * 256}, "hardware_version"),
    ({"gnss_properties": 256}, "gnss_properties"),
    ({"terminal_type": -1}, "terminal_type"),
])
def test_properties_bad_values(change, field):
    values = dict(terminal_type=1, manufacturer_id="M", terminal_model="T", terminal_id="I",
                  iccid="1", hardware_version="", firmware_version="", gnss_properties=0,
                  comm_properties=0)
    values.update(change)
    with pytest.raises(LocalProtocolError) as info:
        encode_body(TerminalPropertiesResponse(**values))
    assert info.value.field == field


def test_flags_to_bits_by_seed_names():
    assert flags_to_bits(TERMINAL_TYPE_BITS, applicable_passenger_vehicles=1, machine_type=1,
                         applicable_to_trailer=1, applicable_to_taxi=0) == 0x181
    assert flags_to_bits(GNSS_PROPERTY_BITS, support_gps=1, support_bds=1) == 3
    assert flags_to_bits(COMM_PROPERTY_BITS, support_td_lte=1,
                         support_other_communication=1) == 0xA0
    with pytest.raises(LocalProtocolError):
        flags_to_bits(GNSS_PROPERTY_BITS, support_wifi=1)


# -- 0x8108 / 0x0108 ----------------------------------------------------------------

def test_upgrade_package_2013_vector_both_ways():
    expected = UpgradePackage(52, "asdfg", "qscvhiuytrew", bytes.fromhex("0102030405"))
    assert decode_body(0x8108, UPGRADE_2013) == expected
    assert encode_body(expected) == UPGRADE_2013


def test_upgrade_package_2019_manufacturer_is_11_bytes():
    message = UpgradePackage(0, "QUECTEL", "V1", b"\xaa")
    body = encode_body(message, Version.V2019)
    assert body == b"\x00QUECTEL\x00\x00\x00\x00\x02V1\x00\x00\x00\x01\xaa"
    assert decode_body(0x8108, body, Version.V2019) == message


def test_upgrade_package_length_beyond_body_is_truncated():
    body = UPGRADE_2013[:-5] + b"\xff\xff\xff\xff"[:0]
    with pytest.raises(TruncatedError) as info:
        decode_body(0x8108, body)
    assert info.value.field == "upgrade_package"
    huge = UPGRADE_2013[:19] + b"\xff\xff\xff\xff" + b"\x01"
    with pytest.raises(TruncatedError, match="needs 4294967295 bytes"):
        decode_body(0x8108, huge)


def test_upgrade_package_truncated_at_every_byte():
    for cut in range(len(UPGRADE_2013)):
        with pytest.raises(TruncatedError):
            decode_body(0x8108, UPGRADE_2013[:cut])


def test_upgrade_package_bad_values():
    with pytest.raises(LocalProtocolError) as info:
        encode_body(UpgradePackage(0, "TOOLONG", "V"))
    assert info.value.field == "manufacturer_id"
    with pytest.raises(LocalProtocolError) as info:
        encode_body(UpgradePackage(256, "M", "V"))
    assert info.value.field == "upgrade_type"


@pytest.mark.parametrize("version", VERSIONS)
def test_upgrade_result_vectors(version):
    assert decode_body(0x0108, RESULT, version) == UpgradeResult(52, 0)
    assert encode_body(UpgradeResult(52, 0), version) == RESULT
    seed = unpack(SEED_RESULT)
    assert decode(seed) == UpgradeResult(0, 0)
    assert encode_body(UpgradeResult(0, 0), version) == seed.body


def test_upgrade_result_errors():
    with pytest.raises(TruncatedError) as info:
        decode_body(0x0108, b"\x00", strict=True)
    assert (info.value.field, info.value.offset) == ("result", 1)
    with pytest.raises(RemoteProtocolError):
        decode_body(0x0108, b"\x00\x00\x00", strict=True)
    with pytest.raises(LocalProtocolError):
        encode_body(UpgradeResult(0, 300))


# -- round trips --------------------------------------------------------------------

gbk_text = st.binary(max_size=12).map(lambda raw: raw.strip(b"\x00").decode(
    "gbk", "surrogateescape"))
u8 = st.integers(0, 255)


def fixed_text(width: int):
    """Text that fits a fixed-width field: without NULs at either end, which a tolerant
    decode strips as padding (issue 11)."""
    return st.binary(max_size=width).map(
        lambda raw: raw.strip(b"\x00").decode("gbk", "surrogateescape"))


@settings(max_examples=100, deadline=None)
@given(u8, st.binary(max_size=60), st.sampled_from(VERSIONS))
def test_control_round_trip(word, params, version):
    message = TerminalControl(word, params)
    assert decode_body(0x8105, encode_body(message, version), version) == message
    message.parsed  # never raises on any bytes


@settings(max_examples=100, deadline=None)
@given(st.data(), st.sampled_from(VERSIONS))
def test_properties_round_trip(data, version):
    maker, model, ident = (11, 30, 30) if version is Version.V2019 else (5, 20, 7)
    message = TerminalPropertiesResponse(
        data.draw(st.integers(0, 0xFFFF)), data.draw(fixed_text(maker)),
        data.draw(fixed_text(model)), data.draw(fixed_text(ident)),
        data.draw(st.text("0123456789", min_size=20, max_size=20)),
        data.draw(gbk_text), data.draw(gbk_text), data.draw(u8), data.draw(u8))
    assert decode_body(0x0107, encode_body(message, version), version) == message


@settings(max_examples=100, deadline=None)
@given(st.data(), st.sampled_from(VERSIONS))
def test_upgrade_round_trip(data, version):
    maker = 11 if version is Version.V2019 else 5
    message = UpgradePackage(data.draw(u8), data.draw(fixed_text(maker)), data.draw(gbk_text),
                             data.draw(st.binary(max_size=300)))
    assert decode_body(0x8108, encode_body(message, version), version) == message
    result = UpgradeResult(data.draw(u8), data.draw(u8))
    assert decode_body(0x0108, encode_body(result, version), version) == result
