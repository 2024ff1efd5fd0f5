"""Checks shared by the codec tests (imported as ``from codec_support import ...``).

``assert_both_ways``: a vector encodes to its body and decodes back to the message.
``assert_trailing_kept``: bytes after the last field are refused with ``strict=True`` and,
by default (issue 11), kept in ``.trailing`` with the quirk named and re-encoded unchanged.
``decode_prefixes``: every proper prefix of a body either decodes (strict) or raises a
``TruncatedError`` naming the field, the offset and the message id.
"""
from __future__ import annotations

from typing import Iterator

import pytest

from jt808.codec import Message, decode_body, encode_body
from jt808.errors import RemoteProtocolError, TruncatedError
from jt808.frame import Version


def assert_both_ways(message: Message, version: Version, raw: bytes) -> Message:
    """Assert ``message`` encodes to ``raw`` and ``raw`` decodes to it; the decoded message."""
    assert encode_body(message, version) == raw
    decoded = decode_body(message.MSG_ID, raw, version)
    assert decoded == message
    return decoded


def assert_trailing_kept(message: Message, version: Version, raw: bytes, offset: int
                         ) -> Message:
    """``raw`` is ``message``'s body up to ``offset`` and stray bytes after it.

    Strict: ``RemoteProtocolError`` naming the message id and ``offset``. Tolerant: the
    message, the stray bytes in ``.trailing``, the quirk that says so, and ``encode_body``
    gives ``raw`` back; the message built afresh still encodes to the standard body only.
    """
    with pytest.raises(RemoteProtocolError) as info:
        decode_body(message.MSG_ID, raw, version, strict=True)
    assert (info.value.msg_id, info.value.offset) == (message.MSG_ID, offset)
    assert "left after the last field" in str(info.value)
    decoded = decode_body(message.MSG_ID, raw, version)
    assert decoded == message
    assert decoded.trailing == raw[offset:]
    assert (f"{len(raw) - offset} bytes after the last field kept as trailing "
            f"(offset {offset})") in decoded.quirks
    assert encode_body(decoded, version) == raw
    assert encode_body(message, version) == raw[:offset]
    return decoded


def decode_prefixes(message: Message, version: Version, raw: bytes
                    ) -> Iterator[tuple[int, Message | None, TruncatedError | None]]:
    """``(cut, decoded, None)`` or ``(cut, None, error)`` for each ``raw[:cut]``, cut < len(raw).

    An error is a ``TruncatedError`` asserted to name field, offset and ``message.MSG_ID``;
    any other exception propagates.
    """
    for cut in range(len(raw)):
        try:
            decoded = decode_body(message.MSG_ID, raw[:cut], version, strict=True)
        except TruncatedError as exc:
            assert exc.field and exc.offset is not None and exc.msg_id == message.MSG_ID
            yield cut, None, exc
        else:
            yield cut, decoded, None
