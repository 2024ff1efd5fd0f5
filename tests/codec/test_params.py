"""Terminal parameters: PARAM_TYPES, 0x8103, 0x8104, 0x8106, 0x0104 (jt808.codec._params).

Vectors: SmallChi records (``tests/vectors/smallchi.jsonl``, cited by id), the seed's
recorded frames (``seed_impl.jsonl``, cited by case) and JT/T 808-2013 table 12 /
2019 table 13 for parameter widths.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from jt808.codec import (BYTE, BYTES4, BYTES8, DWORD, PARAM_TYPES, STRING, WORD,
                         QuerySpecificTerminalParams, QueryTerminalParams,
                         QueryTerminalParamsResponse, SetTerminalParams, TerminalParam,
                         decode, decode_body, decode_param_value, encode_body,
                         encode_param_value, param_type, params_to_dict)
from jt808.errors import LocalProtocolError, RemoteProtocolError, TruncatedError
from jt808.frame import Version, unpack

VERSIONS = list(Version)

# SmallChi/JT808:JT808_0x8103Test.cs::Test2 (body, 2013)
SET_TWO = bytes.fromhex("0200000001040000000A000000130D7777772E62616964752E636F6D")
# seed_impl.jsonl decode_8103_three_params_2013 (frame): DWORD, STRING and BYTE[4]
SEED_8103_THREE = bytes.fromhex(
    "7E8103002601888888888801020300000001040000003C000000130E3132372E302E302E313A3736"
    "3131000000320416320A1E1F7E")
# SmallChi/JT808:JT808_0x0104Test.cs::Test2 (frame, 2013)
REPORT_TWO = bytes.fromhex(
    "7E0104001E000123456789000A00140200000001040000000A000000130D7777772E62616964752E"
    "636F6DF27E")
# seed_impl.jsonl wire_params_report_ascending_2013 (frame): the seed writes the ids as
# WORDs (its defect B22); the standard (2013 table 12: id DWORD) gives SEED_0104_FIXED
SEED_0104 = bytes.fromhex(
    "7E0104002201888888888800000003030001040000003C00130E3132372E302E302E313A373631310032"
    "0416320A1E9C7E")
SEED_0104_FIXED = bytes.fromhex(
    "0003" "03" "00000001" "04" "0000003C" "00000013" "0E" "3132372E302E302E313A37363131"
    "00000032" "04" "16320A1E")
# SmallChi/JT808:JT808_0x8106Test.cs::Test1 (body)
QUERY_TWO = bytes.fromhex("020000000100000002")


# -- the parameter table ------------------------------------------------------------

# JT/T 808-2013 table 12 / 2019 table 13 and the seed's §2.1 table, id -> width
@pytest.mark.parametrize("param_id, kind", [
    (0x0001, DWORD), (0x0007, DWORD), (0x0010, STRING), (0x0013, STRING), (0x0017, STRING),
    (0x0018, DWORD), (0x0019, DWORD), (0x001A, STRING), (0x001B, DWORD), (0x001C, DWORD),
    (0x001D, STRING), (0x0020, DWORD), (0x0022, DWORD), (0x0023, STRING), (0x0026, STRING),
    (0x0027, DWORD), (0x0029, DWORD), (0x002C, DWORD), (0x002F, DWORD), (0x0030, DWORD),
    (0x0031, WORD), (0x0032, BYTES4), (0x0040, STRING), (0x0044, STRING), (0x0045, DWORD),
    (0x0047, DWORD), (0x0048, STRING), (0x0049, STRING), (0x0050, DWORD), (0x005A, DWORD),
    (0x005B, WORD), (0x005C, WORD), (0x005D, WORD), (0x005E, WORD), (0x0064, DWORD),
    (0x0065, DWORD), (0x0070, DWORD), (0x0074, DWORD), (0x0080, DWORD), (0x0081, WORD),
    (0x0082, WORD), (0x0083, STRING), (0x0084, BYTE), (0x0090, BYTE), (0x0091, BYTE),
    (0x0092, BYTE), (0x0093, DWORD), (0x0094, BYTE), (0x0095, DWORD), (0x0100, DWORD),
    (0x0101, WORD), (0x0102, DWORD), (0x0103, WORD), (0x0110, BYTES8), (0x01FF, BYTES8),
])
def test_param_types_table(param_id, kind):
    assert PARAM_TYPES[param_id] == kind
    assert param_type(param_id) == kind


@pytest.mark.parametrize("param_id", [0x0000, 0x0008, 0x002A, 0x0033, 0x005F, 0x0075,
                                      0x0200, 0xF001, 0xFFFFFFFF])
def test_unknown_ids_are_not_in_table(param_id):
    assert param_type(param_id) is None


def test_table_widths_are_consistent():
    for param_id, kind in PARAM_TYPES.items():
        assert kind.kind in {"DWORD", "WORD", "BYTE", "STRING", "BYTES"}, hex(param_id)
        assert (kind.size is None) == (kind.kind == "STRING")
        if kind.is_int:
            assert len(encode_param_value(param_id, 0)) == kind.size


# -- value codec --------------------------------------------------------------------

@pytest.mark.parametrize("param_id, raw, value", [
    (0x0001, b"\x00\x00\x00\x3c", 60),
    (0x0031, b"\x01\xf4", 500),
    (0x0084, b"\x01", 1),
    (0x0013, b"127.0.0.1:7611", "127.0.0.1:7611"),
    (0x0083, bytes.fromhex("CDEE413838383838"), "皖A88888"),  # seed_impl tp_set_string_0x0083_gbk
    (0x0032, bytes.fromhex("16320A1E"), bytes.fromhex("16320A1E")),
    (0x0110, bytes.fromhex("000003E840000123"), bytes.fromhex("000003E840000123")),
    (0xF001, b"\xff", b"\xff"),
])
def test_value_codec_both_ways(param_id, raw, value):
    assert decode_param_value(param_id, raw) == value
    assert encode_param_value(param_id, value) == raw


@pytest.mark.parametrize("param_id, raw", [
    (0x0001, b"\x00\x3c"),        # DWORD sent as WORD
    (0x0090, b"\x00\x00\x00\x02"),  # BYTE sent as DWORD (real device, SmallChi 0x0104 Test5)
    (0x0031, b""),
    (0x0110, b"\x01\x02"),
])
def test_wrong_length_for_known_id_stays_raw(param_id, raw):
    value = decode_param_value(param_id, raw)
    assert value == raw and isinstance(value, bytes)
    body = encode_body(SetTerminalParams([TerminalParam(param_id, value)]))
    message = decode_body(0x8103, body)
    assert message.params[0].value == raw
    assert encode_body(message) == body


@pytest.mark.parametrize("param_id, value", [
    (0x0001, "60"), (0x0001, 1 << 32), (0x0001, -1), (0x0031, 65536), (0x0084, 256),
    (0x0013, 5), (0x0032, 5), (0xF001, "text"), (0xF001, 7), (0x0001, None), (0x0001, True),
    (0x0013, "\udcff\u20ac"),
])
def test_bad_values_raise_local_error_naming_param(param_id, value):
    with pytest.raises(LocalProtocolError) as info:
        encode_body(SetTerminalParams([TerminalParam(param_id, value)]))
    assert info.value.field == f"param 0x{param_id:04X}"
    assert info.value.msg_id == 0x8103


def test_value_longer_than_255_bytes_is_local_error():
    with pytest.raises(LocalProtocolError, match="0x0013 length"):
        encode_body(SetTerminalParams([TerminalParam(0x0013, "x" * 256)]))


def test_more_than_255_items_is_local_error():
    items = [TerminalParam(0x0001, 1)] * 256
    with pytest.raises(LocalProtocolError) as info:
        encode_body(SetTerminalParams(items))
    assert info.value.field == "param_count"


def test_param_id_beyond_dword_is_local_error():
    with pytest.raises(LocalProtocolError) as info:
        encode_body(SetTerminalParams([TerminalParam(1 << 32, b"")]))
    assert info.value.field == "param_id"


def test_params_to_dict_later_item_wins():
    items = (TerminalParam(1, 10), TerminalParam(0x13, "a"), TerminalParam(1, 20))
    assert params_to_dict(items) == {1: 20, 0x13: "a"}
    assert params_to_dict(()) == {}


# -- messages -----------------------------------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
def test_set_params_vector_both_ways(version):
    expected = SetTerminalParams([TerminalParam(1, 10), TerminalParam(0x13, "www.baidu.com")])
    assert decode_body(0x8103, SET_TWO, version) == expected
    assert encode_body(expected, version) == SET_TWO


def test_seed_8103_three_params_frame():
    message = decode(unpack(SEED_8103_THREE))
    assert message == SetTerminalParams([
        TerminalParam(0x0001, 60), TerminalParam(0x0013, "127.0.0.1:7611"),
        TerminalParam(0x0032, bytes((22, 50, 10, 30)))])
    assert encode_body(message) == unpack(SEED_8103_THREE).body


def test_unknown_ids_kept_raw_in_order():
    # SmallChi/JT808:JT808_0x8103Test.cs::Test3 body (JT/T 1078 parameter 0x0075), with the
    # id changed to 0xF375: 0x0075 itself is registered by jt808.jt1078 (entry point)
    body = bytes.fromhex("010000F37515030500040700000006080A00090C0000000B000201")
    message = decode_body(0x8103, body)
    assert message.params[0].param_id == 0xF375
    assert message.params[0].value == body[6:]
    assert encode_body(message) == body


@pytest.mark.parametrize("frame_hex, serial, params", [
    (REPORT_TWO, 20, (TerminalParam(1, 10), TerminalParam(0x13, "www.baidu.com"))),
])
def test_params_report_vectors_both_ways(frame_hex, serial, params):
    frame = unpack(frame_hex)
    message = decode(frame)
    assert message == QueryTerminalParamsResponse(serial, params)
    assert encode_body(message) == frame.body


def test_seed_params_report_with_word_ids_is_rejected_and_we_send_dwords():
    message = QueryTerminalParamsResponse(3, (
        TerminalParam(1, 60), TerminalParam(0x13, "127.0.0.1:7611"),
        TerminalParam(0x32, bytes.fromhex("16320A1E"))))
    assert encode_body(message) == SEED_0104_FIXED
    with pytest.raises(RemoteProtocolError):
        decode(unpack(SEED_0104), strict=True)


def test_params_report_2019_same_layout():
    body = unpack(REPORT_TWO).body
    assert encode_body(decode_body(0x0104, body, Version.V2019), Version.V2019) == body


def test_query_specific_vector_both_ways():
    assert decode_body(0x8106, QUERY_TWO) == QuerySpecificTerminalParams((1, 2))
    assert encode_body(QuerySpecificTerminalParams([1, 2])) == QUERY_TWO


@pytest.mark.parametrize("version", VERSIONS)
def test_query_all_is_empty(version):
    assert decode_body(0x8104, b"", version) == QueryTerminalParams()
    assert encode_body(QueryTerminalParams(), version) == b""
    with pytest.raises(RemoteProtocolError, match="1 bytes left"):
        decode_body(0x8104, b"\x00", version, strict=True)


@pytest.mark.parametrize("msg_id, body", [
    (0x8103, SET_TWO), (0x0104, unpack(REPORT_TWO).body), (0x8106, QUERY_TWO)])
def test_truncated_at_every_byte(msg_id, body):
    for cut in range(len(body)):
        with pytest.raises(TruncatedError) as info:
            decode_body(msg_id, body[:cut], strict=True)
        assert info.value.msg_id == msg_id
        assert info.value.field and info.value.offset is not None


def test_truncation_names_the_parameter():
    with pytest.raises(TruncatedError) as info:
        decode_body(0x8103, SET_TWO[:-1], strict=True)
    assert info.value.field == "param 0x0013 value"
    assert info.value.offset == 15  # 1 + (4 + 1 + 4) + (4 + 1)


@pytest.mark.parametrize("msg_id, body", [
    (0x8103, SET_TWO), (0x0104, unpack(REPORT_TWO).body), (0x8106, QUERY_TWO)])
def test_trailing_bytes_rejected(msg_id, body):
    with pytest.raises(RemoteProtocolError, match="left after the last field"):
        decode_body(msg_id, body + b"\x00", strict=True)


def test_count_larger_than_items_is_truncated():
    # the count says 3 items, the body holds 2
    with pytest.raises(TruncatedError):
        decode_body(0x8103, b"\x03" + SET_TWO[1:], strict=True)


# -- round trips --------------------------------------------------------------------

_KNOWN_IDS = sorted(PARAM_TYPES)


def _typed_value(param_id: int):
    kind = PARAM_TYPES[param_id]
    if kind.is_int:
        return st.integers(0, (1 << (8 * kind.size)) - 1)
    if kind.kind == "STRING":
        return st.binary(max_size=30).map(lambda raw: raw.decode("gbk", "surrogateescape"))
    return st.binary(min_size=kind.size, max_size=kind.size)


typed_items = st.sampled_from(_KNOWN_IDS).flatmap(
    lambda pid: _typed_value(pid).map(lambda value: TerminalParam(pid, value)))
raw_items = st.builds(TerminalParam, st.integers(0, 0xFFFFFFFF), st.binary(max_size=40))


@settings(max_examples=150, deadline=None)
@given(st.lists(typed_items, max_size=12), st.integers(0, 0xFFFF),
       st.sampled_from(VERSIONS))
def test_typed_params_round_trip(items, serial, version):
    for message in (SetTerminalParams(items), QueryTerminalParamsResponse(serial, items)):
        body = encode_body(message, version)
        assert decode_body(message.MSG_ID, body, version) == message


@settings(max_examples=150, deadline=None)
@given(st.lists(raw_items, max_size=12))
def test_any_wire_items_re_encode_identically(items):
    body = encode_body(SetTerminalParams(items))
    decoded = decode_body(0x8103, body)
    assert encode_body(decoded) == body
    assert [item.param_id for item in decoded.params] == [item.param_id for item in items]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 0xFFFFFFFF), max_size=255), st.sampled_from(VERSIONS))
def test_query_specific_round_trip(ids, version):
    message = QuerySpecificTerminalParams(ids)
    assert decode_body(0x8106, encode_body(message, version), version) == message
