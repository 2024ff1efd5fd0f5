"""Edges of the check code, the escape errors and the header errors.

Written to kill the mutants ``tools/mutation.py`` found alive (``docs/mutation.md``):
the XOR fold plan for lengths not seen before, which ``7d`` an escape error points at,
and the message id / offset / field an error names.
"""
from __future__ import annotations

import functools
import operator
import os

import pytest

from jt808.errors import EscapeError, HeaderError, LocalProtocolError
from jt808.frame import Frame, Header, Version, pack, unescape, xor_check
from jt808.frame import _escape

PHONE = "013800138000"


def _reference_xor(data: bytes) -> int:
    return functools.reduce(operator.xor, data, 0)


@pytest.mark.parametrize("size", [*range(0, 80), 127, 128, 129, 1023, 1024, 1025, 4096,
                                  4097, 9000])
def test_xor_check_of_every_length_with_a_fresh_plan(size, monkeypatch):
    """Each length folds with a plan computed now (not one cached by an earlier test)."""
    monkeypatch.setattr(_escape, "_FOLD_PLANS", {})
    data = os.urandom(size)
    assert xor_check(data) == _reference_xor(data)
    ones = bytes([0xFF]) * size                # every bit of every byte counts
    assert xor_check(ones) == (0xFF if size % 2 else 0)
    if size:
        last = bytes(size - 1) + b"\x5a"       # the byte furthest from the first
        assert xor_check(last) == 0x5A
        assert xor_check(b"\xa5" + bytes(size - 1)) == 0xA5


@pytest.mark.parametrize("content, follower, offset", [
    (b"\x7d\x02\x7d\x05", "05", 2),                # a good escape before the bad one
    (b"\x7d\x01\x7d\x02\x00\x7d\x00", "00", 5),
    (b"\x7d\x05\x7d\x02", "05", 0),
    (b"\x7d\x02\x7d\x01\x7d\x06\x7d\x07", "06", 4),  # the first bad one of two
])
def test_escape_error_points_at_the_first_bad_escape(content, follower, offset):
    with pytest.raises(EscapeError) as caught:
        unescape(content)
    assert caught.value.offset == offset
    assert str(caught.value) == f"bad escape sequence 7d {follower} (offset {offset})"


def test_short_2019_header_names_the_message():
    raw = bytes.fromhex("0102" "4000" "01") + bytes(11)   # 2019 flag, 16 of 17 bytes
    with pytest.raises(HeaderError) as caught:
        Header.decode(raw)
    assert caught.value.msg_id == 0x0102 and caught.value.offset == 0


def test_short_subpackaged_header_names_the_message():
    raw = bytes.fromhex("8A00" "2000") + bytes(8)          # 2013 + subpackaged: 16 bytes
    with pytest.raises(HeaderError) as caught:
        Header.decode(raw)
    assert caught.value.msg_id == 0x8A00 and caught.value.offset == 0


@pytest.mark.parametrize("version, raw, offset", [
    (Version.V2013, "0002" "0000" "01380013800A" "0001", 4),
    (Version.V2019, "0002" "4000" "01" "0000000001380013800A" "0001", 5),
])
def test_phone_not_bcd_names_its_offset(version, raw, offset):
    """Strict: refused, naming the phone and its offset. Default (issue 11): the nibble
    kept as a lowercase hex digit, ``phone_is_bcd`` False, the header re-encoded exact."""
    with pytest.raises(HeaderError) as caught:
        Header.decode(bytes.fromhex(raw), strict=True)
    assert (caught.value.msg_id, caught.value.field, caught.value.offset) == (2, "phone", offset)
    header, body_length = Header.decode(bytes.fromhex(raw))
    assert header.version is version and body_length == 0
    digits = 20 if version is Version.V2019 else 12
    assert header.phone == raw[2 * offset:2 * offset + digits].lower()
    assert header.phone.endswith("01380013800a")
    assert not header.phone_is_bcd
    assert header.encode(0) == bytes.fromhex(raw)


@pytest.mark.parametrize("kwargs, field", [
    ({"msg_id": 0xFFFF, "serial": 0x10000}, "serial"),     # msg_id at its top is fine
    ({"serial": 0xFFFF, "version": Version.V2019, "protocol_version": 256},
     "protocol_version"),
    ({"encryption": 8}, "encryption"),
    ({"encryption": -1}, "encryption"),
])
def test_local_header_errors_name_field_and_message(kwargs, field):
    args = {"msg_id": 0x0200, "phone": PHONE, **kwargs}
    with pytest.raises(LocalProtocolError) as caught:
        pack(Frame(Header(**args)))
    assert caught.value.field == field
    assert caught.value.msg_id == args["msg_id"]


def test_top_values_fit():
    header = Header(0xFFFF, PHONE, 0xFFFF, Version.V2019, 7, None, 0xFF)
    assert Header.decode(header.encode(0))[0] == header
