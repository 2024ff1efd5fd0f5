"""Checks shared by the codec tests (imported as ``from codec_support import ...``).

``assert_both_ways``: a vector encodes to its body and decodes back to the message.
``decode_prefixes``: every proper prefix of a body either decodes (strict) or raises a
``TruncatedError`` naming the field, the offset and the message id.
"""
from __future__ import annotations

from typing import Iterator

from jt808.codec import Message, decode_body, encode_body
from jt808.errors import TruncatedError
from jt808.frame import Version


def assert_both_ways(message: Message, version: Version, raw: bytes) -> Message:
    """Assert ``message`` encodes to ``raw`` and ``raw`` decodes to it; the decoded message."""
    assert encode_body(message, version) == raw
    decoded = decode_body(message.MSG_ID, raw, version)
    assert decoded == message
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
