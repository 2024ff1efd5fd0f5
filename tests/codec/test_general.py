"""General replies, heartbeat, logout, registration and authentication (``codec._general``).

Hand-made vectors, each citing the body layout it follows: JT/T 808-2011/2013/2019
§8 (terminal/platform general response, heartbeat, registration, registration response,
logout, authentication). Field widths per version (jt808-notes "Versions"):
0x0100 maker / model / terminal id are BYTE[5] / BYTE[8] / BYTE[7] in 2011,
BYTE[5] / BYTE[20] / BYTE[7] in 2013 and BYTE[11] / BYTE[30] / BYTE[30] in 2019,
0x00-padded at the end; 0x0102 is the bare code before 2019, and
code length BYTE, code, IMEI BYTE[15], software version BYTE[20] in 2019.
"""
from __future__ import annotations

import attrs
import pytest

from jt808.codec import (Heartbeat, PlatformGeneralResponse, TerminalAuth,
                         TerminalGeneralResponse, TerminalLogout, TerminalRegister,
                         TerminalRegisterResponse, decode_body, encode_body)
from jt808.errors import LocalProtocolError, TruncatedError
from jt808.frame import Version

from codec_support import assert_both_ways, assert_trailing_kept, decode_prefixes

V11, V13, V19 = Version.V2011, Version.V2013, Version.V2019


def _pad(text: str, width: int) -> str:
    """ASCII ``text`` as hex, 0x00-padded at the end to ``width`` bytes."""
    return text.encode("ascii").ljust(width, b"\x00").hex()


PLATE = "D4C1423132333435"                       # "粤B12345" in GBK
_REGISTER = TerminalRegister(44, 0x0300, "MAKER", "M-8", "ID7", 1, "粤B12345")
_REGISTER_2019 = TerminalRegister(44, 0x0300, "MAKER-2019", "MODEL-2019", "TERMINAL-2019",
                                  1, "粤B12345")

# (source, version, message, body hex)
VECTORS = [
    # 0x0001: reply serial WORD, reply id WORD, result BYTE (0 ok, 1 fail, 2 wrong, 3 n/a)
    ("2011 §8 0x0001 terminal general response", V11,
     TerminalGeneralResponse(0x1234, 0x8103, 0), "1234810300"),
    ("2013 §8 0x0001 terminal general response", V13,
     TerminalGeneralResponse(0xFFFF, 0x8105, 3), "FFFF810503"),
    ("2019 §8 0x0001 terminal general response", V19,
     TerminalGeneralResponse(1, 0x8204, 1), "0001820401"),
    # 0x8001: same layout; result 4 (alarm handling confirmed) since 2013
    ("2011 §8 0x8001 platform general response", V11,
     PlatformGeneralResponse(7, 0x0002, 2), "0007000202"),
    ("2013 §8 0x8001 platform general response", V13,
     PlatformGeneralResponse(0x0102, 0x0200, 4), "0102020004"),
    ("2019 §8 0x8001 platform general response", V19,
     PlatformGeneralResponse(0xABCD, 0x0100, 0), "ABCD010000"),
    # 0x0002 heartbeat, 0x0003 logout: empty bodies in every version
    ("2011 §8 0x0002 heartbeat", V11, Heartbeat(), ""),
    ("2013 §8 0x0002 heartbeat", V13, Heartbeat(), ""),
    ("2019 §8 0x0002 heartbeat", V19, Heartbeat(), ""),
    ("2011 §8 0x0003 logout", V11, TerminalLogout(), ""),
    ("2013 §8 0x0003 logout", V13, TerminalLogout(), ""),
    ("2019 §8 0x0003 logout", V19, TerminalLogout(), ""),
    # 0x0100: province WORD, city WORD, maker, model, id (fixed widths), colour BYTE, plate
    ("2011 §8 0x0100 registration (5/8/7)", V11, _REGISTER,
     "002C0300" + _pad("MAKER", 5) + _pad("M-8", 8) + _pad("ID7", 7) + "01" + PLATE),
    ("2013 §8 0x0100 registration (5/20/7)", V13, _REGISTER,
     "002C0300" + _pad("MAKER", 5) + _pad("M-8", 20) + _pad("ID7", 7) + "01" + PLATE),
    ("2019 §8 0x0100 registration (11/30/30)", V19, _REGISTER_2019,
     "002C0300" + _pad("MAKER-2019", 11) + _pad("MODEL-2019", 30) + _pad("TERMINAL-2019", 30)
     + "01" + PLATE),
    ("2013 §8 0x0100 colour 0: VIN instead of a plate", V13,
     TerminalRegister(0, 0, "M", "X", "Y", 0, "LSVAU2180N2183294"),
     "00000000" + _pad("M", 5) + _pad("X", 20) + _pad("Y", 7) + "00"
     + _pad("LSVAU2180N2183294", 17)),
    # 0x8100: reply serial WORD, result BYTE, auth code STRING only when the result is 0
    ("2013 §8 0x8100 registration response, ok", V13,
     TerminalRegisterResponse(0x0010, 0, "AUTH-1"), "001000" + _pad("AUTH-1", 6)),
    ("2019 §8 0x8100 registration response, ok", V19,
     TerminalRegisterResponse(0x0010, 0, "AUTH-1"), "001000" + _pad("AUTH-1", 6)),
    ("2011 §8 0x8100 registration response, terminal already registered", V11,
     TerminalRegisterResponse(0x0011, 3), "001103"),
    ("2019 §8 0x8100 registration response, no such terminal", V19,
     TerminalRegisterResponse(0x0012, 4), "001204"),
    # 0x0102: the code is the whole body before 2019
    ("2011 §8 0x0102 authentication", V11, TerminalAuth("AUTH-1"), _pad("AUTH-1", 6)),
    ("2013 §8 0x0102 authentication", V13, TerminalAuth("AUTH-1"), _pad("AUTH-1", 6)),
    ("2019 §8 0x0102 authentication (len, code, IMEI[15], version[20])", V19,
     TerminalAuth("AUTH-1", "867584030123454", "v1.2.3"),
     "06" + _pad("AUTH-1", 6) + _pad("867584030123454", 15) + _pad("v1.2.3", 20)),
]
IDS = [v[0] for v in VECTORS]


@pytest.mark.parametrize("source,version,message,body", VECTORS, ids=IDS)
def test_vector_both_ways(source, version, message, body):
    assert_both_ways(message, version, bytes.fromhex(body))


@pytest.mark.parametrize("source,version,message,body", VECTORS, ids=IDS)
def test_trailing_bytes(source, version, message, body):
    """Past the last field: refused with the offset when strict, kept as ``.trailing``
    by default (issue 11), except where the last field is the rest of the body (plate,
    auth code), which then holds them in both modes. A 0x8100 that failed has no code
    field (table 7: "only with result 0"), so the bytes are trailing ones there."""
    raw = bytes.fromhex(body) + b"\x41\x42"
    rest = {TerminalRegister: "license_plate", TerminalRegisterResponse: "auth_code"}
    if isinstance(message, TerminalRegisterResponse) and message.result != 0:
        rest = {}
    if type(message) in rest or (type(message) is TerminalAuth and version is not V19):
        name = rest.get(type(message), "auth_code")
        for strict in (False, True):
            decoded = decode_body(message.MSG_ID, raw, version, strict=strict)
            assert getattr(decoded, name) == getattr(message, name) + "AB"
            assert decoded.trailing == b"" and decoded.quirks == ()
        return
    assert_trailing_kept(message, version, raw, len(raw) - 2)


@pytest.mark.parametrize("source,version,message,body", VECTORS, ids=IDS)
def test_every_truncation_is_refused_or_shorter(source, version, message, body):
    """A fixed field cut short names itself; only a rest-of-body field may just be shorter."""
    for cut, decoded, error in decode_prefixes(message, version, bytes.fromhex(body)):
        if decoded is not None:
            assert cut >= len(bytes.fromhex(body)) - len(_rest_bytes(message, version))


def _rest_bytes(message, version) -> bytes:
    if isinstance(message, TerminalRegister):
        return message.license_plate.encode("gbk")
    if isinstance(message, TerminalRegisterResponse):
        return message.auth_code.encode("gbk")
    if isinstance(message, TerminalAuth) and version is not V19:
        return message.auth_code.encode("gbk")
    return b""


# -- field widths per version: a width change in either direction fails here -----------

@pytest.mark.parametrize("version, widths", [
    (V11, (5, 8, 7)), (V13, (5, 20, 7)), (V19, (11, 30, 30))])
def test_register_field_offsets(version, widths):
    maker, model, ident = widths
    body = encode_body(TerminalRegister(1, 2, "m", "t", "i", 3, "P"), version)
    assert len(body) == 4 + maker + model + ident + 1 + 1
    assert body[4:5] == b"m" and body[4 + maker:5 + maker] == b"t"
    assert body[4 + maker + model:5 + maker + model] == b"i"
    assert body[4 + maker + model + ident] == 3 and body[-1:] == b"P"


@pytest.mark.parametrize("version, field, width", [
    (V11, "manufacturer_id", 5), (V11, "terminal_model", 8), (V11, "terminal_id", 7),
    (V13, "manufacturer_id", 5), (V13, "terminal_model", 20), (V13, "terminal_id", 7),
    (V19, "manufacturer_id", 11), (V19, "terminal_model", 30), (V19, "terminal_id", 30)])
def test_register_fields_fill_their_width_and_no_more(version, field, width):
    values = {"manufacturer_id": "m", "terminal_model": "t", "terminal_id": "i", field: "W" * width}
    full = TerminalRegister(1, 2, values["manufacturer_id"], values["terminal_model"],
                            values["terminal_id"], 1, "P")
    assert decode_body(0x0100, encode_body(full, version), version) == full
    values[field] = "W" * (width + 1)
    too_long = TerminalRegister(1, 2, values["manufacturer_id"], values["terminal_model"],
                                values["terminal_id"], 1, "P")
    with pytest.raises(LocalProtocolError) as info:
        encode_body(too_long, version)
    assert info.value.field == field and info.value.msg_id == 0x0100


def test_register_2011_body_is_not_a_2013_body():
    """The 2011 and 2013 headers are alike: only the body width tells them apart. Strict,
    a 2011 body read as 2013 is cut short; by default the codec sees the 2011 layout
    (issue 11), reads it as 2011 and says so."""
    body_2011 = encode_body(_REGISTER, V11)
    assert len(encode_body(_REGISTER, V13)) - len(body_2011) == 12
    with pytest.raises(TruncatedError) as info:
        decode_body(0x0100, body_2011, V13, strict=True)
    assert info.value.msg_id == 0x0100
    message = decode_body(0x0100, body_2011, V13)
    assert message == _REGISTER and message.tolerated.version is V11
    assert message.quirks == ("body has the JT/T 808-2011 layout, not 2013: read as 2011",)
    assert encode_body(message, V11) == body_2011


def test_register_padding_is_stripped_only_at_the_end():
    """Strict: only the padding at the end is stripped. Tolerant (issue 11): NUL padding
    on either side of a fixed-width string is stripped, the quirk named, the body kept."""
    body = bytes.fromhex("00000000" + "0041424300" + _pad("T", 20) + _pad("I", 7) + "01")
    assert decode_body(0x0100, body, V13, strict=True).manufacturer_id == "\x00ABC"
    message = decode_body(0x0100, body, V13)
    assert message.manufacturer_id == "ABC"
    assert message.quirks == ("NUL padding before a fixed-width string removed "
                              "('manufacturer_id' at offset 4)",)
    assert encode_body(message, V13) == body
    assert encode_body(attrs.evolve(message), V13)[4:9] == b"ABC\x00\x00"


def test_auth_2019_code_length_is_a_byte_count():
    """The length counts GBK bytes, not characters."""
    body = encode_body(TerminalAuth("鉴权", "1" * 15, "v"), V19)
    assert body[0] == 4 and body[1:5] == "鉴权".encode("gbk")
    assert len(body) == 1 + 4 + 15 + 20


def test_auth_2019_fixed_fields_are_refused_when_too_long():
    with pytest.raises(LocalProtocolError) as info:
        encode_body(TerminalAuth("A", "1" * 16, "v"), V19)
    assert info.value.field == "imei"
    with pytest.raises(LocalProtocolError) as info:
        encode_body(TerminalAuth("A", "1" * 15, "v" * 21), V19)
    assert info.value.field == "app_version"


def test_auth_2019_code_longer_than_the_body_is_truncated_error():
    with pytest.raises(TruncatedError) as info:
        decode_body(0x0102, bytes.fromhex("09414243"), V19)
    assert info.value.field == "auth_code" and info.value.msg_id == 0x0102


def test_register_response_without_code_decodes_to_empty_code():
    assert decode_body(0x8100, bytes.fromhex("000500"), V13) == TerminalRegisterResponse(5, 0)


@pytest.mark.parametrize("message, field", [
    (TerminalGeneralResponse(0x10000, 1, 0), "reply_serial"),
    (TerminalGeneralResponse(1, -1, 0), "reply_serial"),
    (PlatformGeneralResponse(1, 1, 256), "reply_serial"),
])
def test_reply_fields_out_of_range_are_refused(message, field):
    with pytest.raises(LocalProtocolError) as info:
        encode_body(message, V13)
    assert info.value.msg_id == message.MSG_ID and field in info.value.field


@pytest.mark.parametrize("msg_id", [0x0002, 0x0003])
@pytest.mark.parametrize("version", list(Version))
def test_empty_bodies_refuse_content(msg_id, version):
    """Strict: a byte in an empty body is refused at offset 0; tolerant: kept as trailing."""
    message = {0x0002: Heartbeat(), 0x0003: TerminalLogout()}[msg_id]
    assert_trailing_kept(message, version, b"\x00", 0)
