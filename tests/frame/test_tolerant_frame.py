"""Tolerant frame reading (issue 11): a phone with non-decimal BCD nibbles, and a
lenient check code for dissecting captures (``unpack_lenient``, ``Framer(lenient_check=)``).

Frames are built here field by field: 0x0002 heartbeat, 2013 header (msg_id WORD |
props WORD | phone BCD[6] | serial WORD), empty body, XOR check code (§4.4.3, §4.4.4).
"""
from __future__ import annotations

import pytest

from jt808.errors import ChecksumError, HeaderError
from jt808.frame import (Frame, Framer, Header, pack, unpack, unpack_lenient, xor_check)

# issue 11: a device's phone 4eb6fb4afd9e (non-decimal nibbles)
HEX_PHONE_CONTENT = bytes.fromhex("0002" "0000" "4eb6fb4afd9e" "0007")
GOOD_CONTENT = bytes.fromhex("0002" "0000" "013800138000" "0007")


def _frame(content: bytes, check: int | None = None) -> bytes:
    code = xor_check(content) if check is None else check
    return b"\x7e" + content + bytes((code,)) + b"\x7e"


def test_hex_phone_is_kept_and_repacks_byte_exact():
    wire = _frame(HEX_PHONE_CONTENT)
    frame = unpack(wire)
    assert frame.header.phone == "4eb6fb4afd9e" and not frame.header.phone_is_bcd
    assert pack(frame) == wire
    # a reply to that device carries the same phone bytes
    reply = pack(Frame(Header(0x8001, frame.header.phone, 1), bytes(5)))
    assert reply[5:11] == bytes.fromhex("4eb6fb4afd9e")


def test_hex_phone_refused_when_strict():
    with pytest.raises(HeaderError, match="phone is not BCD: 4eb6fb4afd9e"):
        unpack(_frame(HEX_PHONE_CONTENT), strict=True)
    framer = Framer(strict=True)
    [error] = framer.feed_events(_frame(HEX_PHONE_CONTENT))
    assert isinstance(error, HeaderError)


def test_unpack_lenient_dissects_a_wrong_check_and_says_so():
    wire = _frame(GOOD_CONTENT, check=0x00)
    with pytest.raises(ChecksumError):
        unpack(wire)
    frame, error = unpack_lenient(wire)
    assert frame.header.msg_id == 0x0002 and frame.header.serial == 7 and frame.body == b""
    assert isinstance(error, ChecksumError) and error.offset == len(GOOD_CONTENT)
    assert unpack_lenient(_frame(GOOD_CONTENT)) == (unpack(_frame(GOOD_CONTENT)), None)


def test_lenient_check_still_refuses_what_cannot_be_read():
    bad_length = bytes.fromhex("0002" "0001" "013800138000" "0007")  # says 1 body byte
    with pytest.raises(HeaderError, match="body length"):
        unpack_lenient(_frame(bad_length, check=0x55))


def test_framer_lenient_check_gives_the_error_then_the_frame():
    stream = _frame(GOOD_CONTENT, check=0x00) + _frame(GOOD_CONTENT)
    items = Framer(lenient_check=True).feed_events(stream)
    assert [type(item) for item in items] == [ChecksumError, Frame, Frame]
    assert items[1] == items[2]
    default = Framer().feed_events(stream)
    assert [type(item) for item in default] == [ChecksumError, Frame]
