"""Whole frames: ``0x7e | escaped(header | body | check code) | 0x7e`` (JT/T 808 §4.4)."""
from __future__ import annotations

from typing import NamedTuple

from ..errors import ChecksumError, EscapeError, FrameError, HeaderError
from ._escape import escape, unescape, xor_check
from ._header import MAX_BODY, Header, Version, header_size
from ._header import _decode as _decode_header

__all__ = ["Frame", "pack", "unpack", "unpack_content", "unpack_lenient", "MAX_FRAME",
           "MAX_ESCAPED_FRAME"]

FLAG = 0x7E
# Largest unescaped content: 2019 header with subpacket fields, full body, check code.
MAX_FRAME = header_size(True, True) + MAX_BODY + 1
# Every content byte may escape to two, plus both flags.
MAX_ESCAPED_FRAME = 2 * MAX_FRAME + 2


class Frame(NamedTuple):
    """A header and the body bytes as carried on the wire (still encrypted if it was)."""

    header: Header
    body: bytes = b""

    @property
    def msg_id(self) -> int:
        return self.header.msg_id


def pack(frame: Frame) -> bytes:
    """The bytes on the wire for ``frame``: escaped, check code added, both 0x7e flags."""
    content = frame.header.encode(len(frame.body)) + frame.body
    content += bytes((xor_check(content),))
    return b"\x7e" + escape(content) + b"\x7e"


def _content(data: bytes) -> bytes:
    if len(data) < 2 or data[0] != FLAG or data[-1] != FLAG:
        raise FrameError("a frame must start and end with 0x7e", offset=0)
    return bytes(data[1:-1])


def unpack(data: bytes, version: Version | None = None, *, strict: bool = False) -> Frame:
    """Parse one whole frame, 0x7e flags included.

    ``version`` overrides the header's version flag (see :meth:`Header.decode`);
    ``strict`` refuses a phone with non-decimal BCD nibbles (kept as hex otherwise).
    """
    return unpack_content(_content(data), version, strict=strict)


def unpack_lenient(data: bytes, version: Version | None = None, *, strict: bool = False
                   ) -> tuple[Frame, ChecksumError | None]:
    """Like :func:`unpack`, but a wrong check code does not stop it: the frame is
    dissected anyway and the ``ChecksumError`` is returned beside it (None when the
    check code is right). For reading captures, never for a live link."""
    return _unpack_raw(_content(data), version, strict, lenient_check=True)


def unpack_content(escaped: bytes, version: Version | None = None, *,
                   strict: bool = False) -> Frame:
    """Parse the escaped bytes between the two 0x7e flags of one frame."""
    return _unpack_raw(escaped, version, strict, lenient_check=False)[0]


def _unpack_raw(escaped: bytes, version: Version | None, strict: bool,
                lenient_check: bool) -> tuple[Frame, ChecksumError | None]:
    if b"\x7e" in escaped:
        # Two frames glued together, or a flag the sender forgot to escape.
        raise EscapeError("unescaped 0x7e inside a frame", offset=escaped.find(b"\x7e"))
    raw = unescape(escaped)
    if len(raw) < 2:
        raise HeaderError(f"frame of {len(raw)} bytes has no room for a header", offset=0)
    check = xor_check(raw[:-1])
    bad_check = None
    if check != raw[-1]:
        bad_check = ChecksumError(f"check code is 0x{raw[-1]:02x}, header and body give "
                                  f"0x{check:02x}", msg_id=_msg_id(raw), offset=len(raw) - 1)
        if not lenient_check:
            raise bad_check
    header, body_length, start = _decode_header(Header, raw[:-1], version, strict)
    actual = len(raw) - 1 - start
    if actual != body_length:
        raise HeaderError(f"body length field says {body_length} bytes, frame carries {actual}",
                          msg_id=header.msg_id, field="body_length", offset=2)
    return tuple.__new__(Frame, (header, raw[start:-1])), bad_check


def _msg_id(raw: bytes) -> int | None:
    return int.from_bytes(raw[:2], "big") if len(raw) >= 3 else None
