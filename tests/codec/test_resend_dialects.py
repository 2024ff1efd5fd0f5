"""0x8003 / 0x0005 in the forms platforms and devices use (issue 11).

Body: original serial WORD | count | ids WORD[count]. The count is a WORD in the 2019
text and a BYTE before; go-jt808, SmallChi and flash520 write a BYTE in every version
(``reference/jt808-notes.md``, 0x8003 paragraph). The width is read from the body
length (odd: BYTE, even: WORD) in every version.
"""
from __future__ import annotations

import pytest

from jt808.codec import (ResendRequest, TerminalResendRequest, decode, decode_body,
                         encode_body, standard_count_width)
from jt808.errors import LocalProtocolError, TruncatedError
from jt808.frame import Version, unpack

V11, V13, V19 = Version.V2011, Version.V2013, Version.V2019

# issue 11: a 2013 platform asks for "packet number 3" of the message whose first serial is 2
ISSUE_FRAME = bytes.fromhex("7e8003000501390000001300050002010003a87e")


def test_issue_frame_decodes_as_byte_count():
    message = decode(unpack(ISSUE_FRAME))
    assert message == ResendRequest(2, (3,))
    assert message.count_width is None          # BYTE is 2013's own width
    assert encode_body(message, V13) == bytes.fromhex("0002010003")


@pytest.mark.parametrize("cls", [ResendRequest, TerminalResendRequest])
@pytest.mark.parametrize("version", [V11, V13, V19])
@pytest.mark.parametrize("body, ids, width", [
    ("0002010003", (3,), 1),               # issue 11: BYTE count (2013 text, many 2019 peers)
    ("000200010003", (3,), 2),             # 2019 text: WORD count
    ("00020200030004", (3, 4), 1),         # BYTE count, two ids: 7 bytes (odd)
    ("0002000200030004", (3, 4), 2),       # WORD count, two ids: 8 bytes (even)
])
def test_count_width_from_body_length_in_every_version(cls, version, body, ids, width):
    if version not in cls.VERSIONS:
        pytest.skip(f"0x{cls.MSG_ID:04X} does not exist in {version.value}")
    raw = bytes.fromhex(body)
    message = decode_body(cls.MSG_ID, raw, version, strict=True)
    assert (message.original_serial, message.packet_ids) == (2, ids)
    assert encode_body(message, version) == raw          # the form it came in
    expected = None if width == standard_count_width(version) else width
    assert message.count_width == expected


def test_encode_follows_the_version_text_unless_told():
    request = ResendRequest(2, (3,))
    assert encode_body(request, V13) == bytes.fromhex("0002010003")
    assert encode_body(request, V11) == bytes.fromhex("0002010003")
    assert encode_body(request, V19) == bytes.fromhex("000200010003")
    assert encode_body(ResendRequest(2, (3,), count_width=1), V19) == bytes.fromhex("0002010003")
    assert encode_body(ResendRequest(2, (3,), count_width=2), V13) == \
        bytes.fromhex("000200010003")
    # the width is a form, not content
    assert ResendRequest(2, (3,), count_width=1) == ResendRequest(2, (3,))


def test_bad_count_width_is_refused():
    with pytest.raises(LocalProtocolError, match="count_width"):
        ResendRequest(2, (3,), count_width=4)


@pytest.mark.parametrize("body", ["0002", "000203", "000203000300", "0002000300030004"])
def test_count_larger_than_the_list_is_truncated(body):
    with pytest.raises(TruncatedError) as info:
        decode_body(0x8003, bytes.fromhex(body), V13)
    assert info.value.msg_id == 0x8003 and info.value.field in ("count", "packet_ids")
