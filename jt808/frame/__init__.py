"""Frame layer: 0x7e framing, 0x7d escaping, XOR check code, headers of 2011/2013/2019.

Sans-IO: bytes in, frames out, and back.
"""
from ._buffer import Buffer, bcd_from_digits, digits_from_bcd
from ._escape import escape, unescape, xor_check
from ._frame import (MAX_ESCAPED_FRAME, MAX_FRAME, Frame, pack, unpack, unpack_content,
                     unpack_lenient)
from ._framer import Framer
from ._header import MAX_BODY, Header, Version, header_size

__all__ = [
    "Buffer", "bcd_from_digits", "digits_from_bcd",
    "escape", "unescape", "xor_check",
    "Frame", "pack", "unpack", "unpack_content", "unpack_lenient", "MAX_FRAME",
    "MAX_ESCAPED_FRAME",
    "Framer", "Header", "Version", "MAX_BODY", "header_size",
]
