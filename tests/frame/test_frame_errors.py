"""Every error the frame layer raises: its type, and a message that says what and where."""
from __future__ import annotations

import pytest

from jt808.errors import (ChecksumError, EscapeError, FrameError, FrameTooLongError,
                          HeaderError, LocalProtocolError, RemoteProtocolError)
from jt808.frame import (MAX_BODY, Frame, Framer, Header, Version, escape, pack, unescape,
                         unpack, unpack_content, xor_check)

from ._vectors import PHONE_12, VECTORS

HEARTBEAT = VECTORS[0].data          # §4.4.3 table 2 heartbeat, see _vectors.py


def _reframe(content: bytes) -> bytes:
    """Flags, escaping and a correct check code around ``content`` (header + body)."""
    return b"\x7e" + escape(content + bytes((xor_check(content),))) + b"\x7e"


@pytest.mark.parametrize("data", [b"", b"\x7e", b"\x00\x02\x7e", b"\x7e\x00\x02"])
def test_missing_flags(data):
    with pytest.raises(FrameError, match=r"must start and end with 0x7e \(offset 0\)"):
        unpack(data)


def test_checksum_error_names_message_and_offset():
    bad = HEARTBEAT[:-2] + b"\xaa\x7e"
    with pytest.raises(ChecksumError) as caught:
        unpack(bad)
    assert str(caught.value) == ("check code is 0xaa, header and body give 0xa9 "
                                 "(message 0x0002, offset 12)")
    assert (caught.value.msg_id, caught.value.offset) == (2, 12)


@pytest.mark.parametrize("content, follower, offset", [
    (b"\x00\x7d\x03\x00", "03", 1),
    (b"\x00\x7d\x7d\x01", "7d", 1),
    (b"\x00\x7d\x01\x7d", "at end of frame", 3),
])
def test_escape_error(content, follower, offset):
    with pytest.raises(EscapeError) as caught:
        unescape(content)
    assert str(caught.value) == f"bad escape sequence 7d {follower} (offset {offset})"
    with pytest.raises(EscapeError):
        unpack(b"\x7e" + content + b"\x7e")


def test_unescaped_flag_inside_frame_is_an_escape_error():
    # Two frames glued by their flags are not one frame (§4.4.2: 7e never appears inside).
    with pytest.raises(EscapeError, match=r"unescaped 0x7e inside a frame \(offset 13\)"):
        unpack(HEARTBEAT + HEARTBEAT[1:])


@pytest.mark.parametrize("content, message", [
    (b"", "frame of 0 bytes has no room for a header (offset 0)"),
    (b"\x00", "frame of 1 bytes has no room for a header (offset 0)"),
    (bytes.fromhex("0002 0000 0138001380"),
     "frame of 9 bytes is shorter than the smallest header (offset 0)"),
    (bytes.fromhex("0002 4000 01 000000000138001380 00"),
     "header needs 17 bytes, frame has 15 (message 0x0002, offset 0)"),
    (bytes.fromhex("0002 2000 013800138000 0001 0002"),
     "header needs 16 bytes, frame has 14 (message 0x0002, offset 0)"),
    (bytes.fromhex("0002 0001 013800138000 0001"),
     "body length field says 1 bytes, frame carries 0 (message 0x0002, field 'body_length', "
     "offset 2)"),
    (bytes.fromhex("0002 0000 01380013800a 0001"),
     "phone is not BCD: 01380013800a (message 0x0002, field 'phone', offset 4)"),
    (bytes.fromhex("0002 2000 013800138000 0001 0002 0003"),
     "subpacket index 3 of total 2 is impossible (message 0x0002, field 'packet', offset 12)"),
    (bytes.fromhex("0002 2000 013800138000 0001 0002 0000"),
     "subpacket index 0 of total 2 is impossible (message 0x0002, field 'packet', offset 12)"),
])
def test_header_errors(content, message):
    frame = _reframe(content) if content else b"\x7e\x7e"
    if len(content) == 1:
        frame = b"\x7e" + content + b"\x7e"
    with pytest.raises(HeaderError) as caught:
        unpack(frame, strict=True)
    assert str(caught.value) == message


def test_frame_too_long_from_framer():
    framer = Framer(max_frame=20)
    events = framer.feed_events(b"\x7e" + b"\x01" * 30 + b"\x7e")
    assert len(events) == 1 and type(events[0]) is FrameTooLongError
    assert str(events[0]) == ("frame of at least 32 bytes exceeds the largest legal frame "
                              "(20 bytes escaped)")


def test_remote_errors_are_frame_errors():
    for cls in (ChecksumError, EscapeError, FrameTooLongError, HeaderError):
        assert issubclass(cls, FrameError) and issubclass(cls, RemoteProtocolError)


# -- bad local input: LocalProtocolError naming the field ----------------------------
@pytest.mark.parametrize("kwargs, field, words", [
    # lowercase a-f are accepted: a tolerant decode keeps a device's non-decimal BCD
    # nibbles as hex digits, and the replies to that device must carry them back
    ({"phone": "1380013800x"}, "phone", "must be decimal digits"),
    ({"phone": "1380013800A"}, "phone", "must be decimal digits"),
    ({"phone": "+8613800138000"}, "phone", "must be decimal digits"),
    ({"phone": "１２３"}, "phone", "must be decimal digits"),        # full-width digits
    ({"phone": "1234567890123"}, "phone", "has 13 digits; at most 12 fit"),
    ({"phone": 13800138000}, "phone", "must be a string of digits"),
    ({"serial": 0x10000}, "serial", "out of range"),
    ({"serial": -1}, "serial", "out of range"),
    ({"msg_id": 0x10000}, "msg_id", "out of range"),
    ({"version": Version.V2019, "protocol_version": 256}, "protocol_version", "out of range"),
    ({"encryption": 8}, "encryption", "encryption must be 0-7"),
    ({"packet": (2, 3)}, "packet", "1 <= index <= total"),
    ({"packet": (0, 0)}, "packet", "1 <= index <= total"),
    ({"version": 2015}, "version", "version must be one of"),
])
def test_local_errors_name_the_field(kwargs, field, words):
    args = {"msg_id": 0x0200, "phone": PHONE_12, **kwargs}
    with pytest.raises(LocalProtocolError) as caught:
        pack(Frame(Header(**args)))
    assert caught.value.field == field
    assert words in str(caught.value) and f"field {field!r}" in str(caught.value)


def test_phone_of_20_digits_is_too_long_for_2013_but_fits_2019():
    with pytest.raises(LocalProtocolError, match="phone"):
        pack(Frame(Header(2, "1" * 20)))
    assert unpack(pack(Frame(Header(2, "1" * 20, version=Version.V2019)))).header.phone == "1" * 20
    with pytest.raises(LocalProtocolError, match="21 digits; at most 20"):
        pack(Frame(Header(2, "1" * 21, version=Version.V2019)))


def test_oversized_body_is_a_local_error():
    pack(Frame(Header(2, PHONE_12), bytes(MAX_BODY)))
    with pytest.raises(LocalProtocolError) as caught:
        pack(Frame(Header(2, PHONE_12), bytes(MAX_BODY + 1)))
    assert str(caught.value) == ("body of 1024 bytes exceeds 1023; split it into subpackets "
                                 "(message 0x0002, field 'body')")


def test_unpack_content_takes_the_bytes_between_flags():
    assert unpack_content(HEARTBEAT[1:-1]) == unpack(HEARTBEAT)
