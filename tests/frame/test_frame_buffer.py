"""Buffer: every pull_*/push_*, BCD (§4.2 table 1 BCD[n]), GBK strings (§4.2 STRING), errors."""
from __future__ import annotations

import pytest

from jt808.errors import LocalProtocolError, RemoteProtocolError, TruncatedError
from jt808.frame import Buffer, bcd_from_digits, digits_from_bcd

INTS = [  # (pull, push, value, big-endian bytes) per §4.3: WORD/DWORD high byte first
    ("u8", 0xAB, "ab"), ("u16", 0x1234, "1234"), ("u32", 0x01020304, "01020304"),
    ("i16", -2, "fffe"), ("i32", -100, "ffffff9c"), ("u64", 0x0102030405060708, "0102030405060708"),
]


@pytest.mark.parametrize("kind, value, hex_", INTS)
def test_int_round_trip(kind, value, hex_):
    out = Buffer()
    getattr(out, f"push_{kind}")(value)
    assert out.getvalue().hex() == hex_
    buf = Buffer(bytes.fromhex(hex_))
    assert getattr(buf, f"pull_{kind}")() == value and buf.eof() and buf.remaining == 0


@pytest.mark.parametrize("kind, value, hex_", INTS)
def test_int_truncated_names_field_and_offset(kind, value, hex_):
    data = b"\x00" + bytes.fromhex(hex_)[:-1]
    buf = Buffer(data, msg_id=0x0200)
    buf.pull_u8()
    with pytest.raises(TruncatedError) as caught:
        getattr(buf, f"pull_{kind}")("speed")
    size = len(hex_) // 2
    assert str(caught.value) == (f"needs {size} bytes, {size - 1} left "
                                 f"(message 0x0200, field 'speed', offset 1)")
    assert buf.pos == 1                        # a failed read moves nothing


@pytest.mark.parametrize("kind, bad", [("u8", 256), ("u8", -1), ("u16", 0x10000), ("u32", -1),
                                       ("i16", 0x8000), ("i32", 2**31), ("u64", 2**64),
                                       ("u16", "1"), ("u32", None)])
def test_int_push_out_of_range(kind, bad):
    with pytest.raises(LocalProtocolError) as caught:
        getattr(Buffer(msg_id=0x0200), f"push_{kind}")(bad, "alarm")
    assert caught.value.field == "alarm" and "does not fit" in str(caught.value)


def test_bytes_and_rest():
    buf = Buffer(b"\x01\x02\x03\x04")
    assert buf.pull_bytes(2) == b"\x01\x02" and buf.pull_bytes(0) == b""
    assert buf.pull_rest() == b"\x03\x04" and buf.pull_rest() == b""
    with pytest.raises(TruncatedError, match=r"needs 1 bytes, 0 left \(field 'x', offset 4\)"):
        buf.pull_bytes(1, "x")
    with pytest.raises(TruncatedError):
        Buffer(b"\x01").pull_bytes(-1)


def test_push_bytes_fixed_width():
    out = Buffer()
    out.push_bytes(b"\x01")
    out.push_bytes(b"ab", 4)
    assert out.getvalue() == b"\x01ab\x00\x00"
    with pytest.raises(LocalProtocolError, match=r"5 bytes do not fit 4 \(field 'id'\)"):
        out.push_bytes(b"abcde", 4, "id")


# §4.2 table 1 BCD[n]: 8421 code; §4.4.3 pads the phone with zeros on the left
@pytest.mark.parametrize("digits, width, hex_", [
    ("13800138000", 6, "013800138000"), ("", 2, "0000"), ("240102030405", 6, "240102030405")])
def test_bcd_round_trip(digits, width, hex_):
    assert bcd_from_digits(digits, width).hex() == hex_
    assert digits_from_bcd(bytes.fromhex(hex_)) == digits.rjust(width * 2, "0")
    out = Buffer()
    out.push_bcd(digits, width)
    assert out.getvalue().hex() == hex_
    assert Buffer(bytes.fromhex(hex_)).pull_bcd(width) == digits.rjust(width * 2, "0")


def test_bcd_errors():
    with pytest.raises(RemoteProtocolError) as caught:
        b = Buffer(b"\x00\x12\x3f", msg_id=0x0200, strict=True)
        b.pull_u8()
        b.pull_bcd(2, "time")
    assert str(caught.value) == "time is not BCD: 123f (message 0x0200, field 'time', offset 1)"
    with pytest.raises(TruncatedError, match="field 'time', offset 0"):
        Buffer(b"\x12").pull_bcd(2, "time")
    with pytest.raises(LocalProtocolError, match=r"time must be decimal digits, got '12x4'"):
        Buffer().push_bcd("12x4", 2, "time")
    with pytest.raises(LocalProtocolError, match=r"must be decimal digits, got '12A4'"):
        Buffer().push_bcd("12A4", 2, "time")   # only the lowercase a tolerant decode gives
    with pytest.raises(LocalProtocolError, match=r"time has 5 digits; at most 4 fit"):
        Buffer().push_bcd("12345", 2, "time")
    with pytest.raises(LocalProtocolError, match="must be decimal digits"):
        bcd_from_digits(1234, 2, "time")


def test_tolerant_bcd_keeps_hex_digits_and_reencodes_them():
    """Issue 11: a device's ICCID/phone with non-decimal nibbles (``4eb6fb4afd9e``) is
    kept as those hex digits, noted as a quirk, and written back byte for byte."""
    raw = bytes.fromhex("4eb6fb4afd9e")
    b = Buffer(raw, msg_id=0x0107)
    assert b.pull_bcd(6, "iccid") == "4eb6fb4afd9e"
    assert b.quirks == ["non-decimal BCD 4eb6fb4afd9e kept as hex digits ('iccid' at offset 0)"]
    out = Buffer()
    out.push_bcd("4eb6fb4afd9e", 6, "iccid")
    assert out.getvalue() == raw
    assert Buffer(bytes.fromhex("1234")).quirks == []


def test_tolerant_gbk_strips_nul_on_both_sides():
    """Issue 11: a driver id ``\\x00\\x00\\x0012345678901234567`` is ``12345678901234567``."""
    raw = b"\x00\x00\x0012345678901234567"
    b = Buffer(raw)
    assert b.pull_gbk(20, "driver_id") == "12345678901234567"
    assert b.quirks == ["NUL padding before a fixed-width string removed "
                        "('driver_id' at offset 0)"]
    strict = Buffer(raw, strict=True)
    assert strict.pull_gbk(20, "driver_id") == "\x00\x00\x0012345678901234567"
    assert strict.quirks == []


# §4.2 table 1 STRING: GBK. 0xd6d0 0xcec4 is "中文" in GBK.
def test_gbk_fixed_width_strips_padding():
    out = Buffer()
    out.push_gbk("中文", 8, "plate")
    assert out.getvalue() == bytes.fromhex("d6d0cec400000000")
    assert Buffer(out.getvalue()).pull_gbk(8) == "中文"
    with pytest.raises(LocalProtocolError, match="field 'plate'"):
        Buffer().push_gbk("中文", 3, "plate")


def test_gbk_length_prefixed_and_rest():
    out = Buffer()
    out.push_gbk_u8len("粤B")
    out.push_gbk_u16len("abc")
    out.push_gbk("尾")
    data = out.getvalue()
    assert data == bytes.fromhex("03d4c142 0003616263 ceb2")
    buf = Buffer(data)
    assert (buf.pull_gbk_u8len(), buf.pull_gbk_u16len(), buf.pull_gbk_rest()) == ("粤B", "abc", "尾")


@pytest.mark.parametrize("raw", [b"\x80", b"\xff\xfe", b"\x81\x30", b"ab\xd6", b"\xa1"])
def test_non_gbk_bytes_round_trip_unchanged(raw):
    text = Buffer(raw).pull_gbk_rest()
    out = Buffer()
    out.push_gbk(text)
    assert out.getvalue() == raw
    fixed = Buffer()
    fixed.push_gbk(Buffer(raw + b"\x00").pull_gbk(len(raw) + 1), len(raw) + 1)
    assert fixed.getvalue() == raw + b"\x00"


def test_gbk_errors():
    with pytest.raises(LocalProtocolError, match=r"cannot be encoded as GBK \(field 'name'\)"):
        Buffer().push_gbk("😀", None, "name")
    with pytest.raises(LocalProtocolError, match="cannot be encoded"):
        Buffer().push_gbk_u8len(None, "name")
    with pytest.raises(TruncatedError, match=r"needs 5 bytes, 2 left \(field 'name', offset 1\)"):
        Buffer(b"\x05ab").pull_gbk_u8len("name")
    with pytest.raises(TruncatedError, match=r"offset 0"):
        Buffer(b"\x00").pull_gbk_u16len("name")
    with pytest.raises(LocalProtocolError, match="256 does not fit"):
        Buffer().push_gbk_u8len("a" * 256, "name")
