"""A cursor over bytes for reading message bodies, and a growing buffer for writing them.

Reads that run past the end raise ``TruncatedError`` naming the field and the offset;
writes of values that do not fit raise ``LocalProtocolError`` naming the field.
Strings are GBK; bytes that are not GBK survive a decode/encode round trip unchanged
(``surrogateescape``), so a decoded message always re-encodes to the identical body.

A reading buffer is tolerant unless ``strict=True``: it decodes what the standard
defines, keeps the rest, and notes each departure in ``quirks`` (non-decimal BCD
nibbles kept as hex digits, NUL padding before a fixed-width string). With
``strict=True`` the same input raises, as the standard asks.
"""
from __future__ import annotations

import struct

from ..errors import LocalProtocolError, RemoteProtocolError, TruncatedError

__all__ = ["Buffer", "bcd_from_digits", "digits_from_bcd", "HEX_DIGITS"]

#: What a BCD field may hold when encoding: decimal digits, and the lowercase hex digits
#: a tolerant decode keeps from a device that wrote non-decimal nibbles.
HEX_DIGITS = frozenset("0123456789abcdef")

# >B, >H, >I, >h, >i: one unsigned byte, WORD, DWORD (big-endian), and their signed forms
_U8 = struct.Struct(">B")
_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_I16 = struct.Struct(">h")
_I32 = struct.Struct(">i")
_U64 = struct.Struct(">Q")

_GBK_ERRORS = "surrogateescape"


def bcd_from_digits(digits: str, width: int, field: str = "bcd",
                    msg_id: int | None = None) -> bytes:
    """Pack a string of digits into ``width`` BCD bytes, zero-padded on the left.

    Decimal digits, or lowercase hex digits kept by a tolerant decode (they re-encode
    to the bytes they came from).
    """
    if not isinstance(digits, str) or not HEX_DIGITS.issuperset(digits):
        raise LocalProtocolError(f"{field} must be decimal digits, got {digits!r}",
                                 msg_id=msg_id, field=field)
    if len(digits) > width * 2:
        raise LocalProtocolError(f"{field} has {len(digits)} digits; at most {width * 2} fit",
                                 msg_id=msg_id, field=field)
    return bytes.fromhex(digits.rjust(width * 2, "0"))


def digits_from_bcd(raw: bytes, field: str = "bcd", msg_id: int | None = None,
                    offset: int | None = None, strict: bool = True) -> str:
    """Unpack BCD bytes into a string of digits, keeping leading zeros.

    A non-decimal nibble raises ``RemoteProtocolError``, or with ``strict=False`` stays
    a lowercase hex digit (``4eb6fb4afd9e``).
    """
    digits = raw.hex()
    if strict and not digits.isdigit() and digits:
        raise RemoteProtocolError(f"{field} is not BCD: {digits}", msg_id=msg_id,
                                  field=field, offset=offset)
    return digits


class Buffer:
    """Read cursor (``pull_*``) over ``data``, or write buffer (``push_*``) when empty.

    ``msg_id`` is only used to name the message in error messages. ``strict``: see the
    module docstring; ``quirks`` lists what a tolerant read let through.
    """

    __slots__ = ("data", "pos", "msg_id", "_out", "strict", "quirks", "kept")

    def __init__(self, data: bytes = b"", msg_id: int | None = None, *,
                 strict: bool = False) -> None:
        self.data = data
        self.pos = 0
        self.msg_id = msg_id
        self._out = bytearray()
        self.strict = strict
        self.quirks: list[str] = []
        # (offset, raw, written): raw bytes a field could not hold, and the bytes its
        # decoded value encodes to (so the raw bytes can be put back on re-encode)
        self.kept: list[tuple[int, bytes, bytes]] = []

    def quirk(self, text: str, field: str | None = None, offset: int | None = None) -> None:
        """Note a departure from the standard that a tolerant read let through."""
        where = f" ({field!r} at offset {offset})" if field is not None else ""
        self.quirks.append(text + where)

    # -- reading -------------------------------------------------------------------
    @property
    def remaining(self) -> int:
        return len(self.data) - self.pos

    def eof(self) -> bool:
        return self.pos >= len(self.data)

    def _short(self, need: int, field: str | None) -> TruncatedError:
        have = len(self.data) - self.pos
        return TruncatedError(f"needs {need} bytes, {have} left", msg_id=self.msg_id,
                              field=field, offset=self.pos)

    def _pull(self, st: struct.Struct, field: str | None) -> int:
        pos = self.pos
        if pos + st.size > len(self.data):
            raise self._short(st.size, field)
        self.pos = pos + st.size
        return st.unpack_from(self.data, pos)[0]

    def pull_u8(self, field: str | None = None) -> int:
        pos = self.pos
        if pos >= len(self.data):
            raise self._short(1, field)
        self.pos = pos + 1
        return self.data[pos]

    def pull_u16(self, field: str | None = None) -> int:
        return self._pull(_U16, field)

    def pull_u32(self, field: str | None = None) -> int:
        return self._pull(_U32, field)

    def pull_i16(self, field: str | None = None) -> int:
        return self._pull(_I16, field)

    def pull_i32(self, field: str | None = None) -> int:
        return self._pull(_I32, field)

    def pull_u64(self, field: str | None = None) -> int:
        return self._pull(_U64, field)

    def pull_bytes(self, n: int, field: str | None = None) -> bytes:
        pos = self.pos
        if n < 0 or pos + n > len(self.data):
            raise self._short(n, field)
        self.pos = pos + n
        return bytes(self.data[pos:pos + n])

    def pull_rest(self) -> bytes:
        pos = self.pos
        self.pos = len(self.data)
        return bytes(self.data[pos:])

    def pull_bcd(self, n: int, field: str | None = None) -> str:
        offset = self.pos
        digits = digits_from_bcd(self.pull_bytes(n, field), field or "bcd", self.msg_id,
                                 offset, self.strict)
        if not self.strict and not digits.isdigit() and digits:
            self.quirk(f"non-decimal BCD {digits} kept as hex digits", field, offset)
        return digits

    def pull_gbk(self, n: int, field: str | None = None) -> str:
        """A fixed-width GBK string; 0x00 padding at the end is removed (and, unless
        strict, at the start too: some devices pad on the left)."""
        offset = self.pos
        whole = self.pull_bytes(n, field)
        raw = whole.rstrip(b"\x00")
        if not self.strict and raw[:1] == b"\x00":
            raw = raw.lstrip(b"\x00")
            self.quirk("NUL padding before a fixed-width string removed", field, offset)
            self.kept.append((offset, whole, raw.ljust(n, b"\x00")))
        return raw.decode("gbk", _GBK_ERRORS)

    def pull_gbk_rest(self) -> str:
        return self.pull_rest().decode("gbk", _GBK_ERRORS)

    def pull_gbk_u8len(self, field: str | None = None) -> str:
        """A GBK string after a one-byte length."""
        return self.pull_bytes(self.pull_u8(field), field).decode("gbk", _GBK_ERRORS)

    def pull_gbk_u16len(self, field: str | None = None) -> str:
        """A GBK string after a WORD length."""
        return self.pull_bytes(self.pull_u16(field), field).decode("gbk", _GBK_ERRORS)

    # -- writing -------------------------------------------------------------------
    def getvalue(self) -> bytes:
        return bytes(self._out)

    def _push(self, st: struct.Struct, value: int, field: str | None) -> None:
        try:
            self._out += st.pack(value)
        except (struct.error, TypeError) as exc:
            raise LocalProtocolError(f"value {value!r} does not fit {st.size * 8}-bit field",
                                     msg_id=self.msg_id, field=field) from exc

    def push_u8(self, value: int, field: str | None = None) -> None:
        self._push(_U8, value, field)

    def push_u16(self, value: int, field: str | None = None) -> None:
        self._push(_U16, value, field)

    def push_u32(self, value: int, field: str | None = None) -> None:
        self._push(_U32, value, field)

    def push_i16(self, value: int, field: str | None = None) -> None:
        self._push(_I16, value, field)

    def push_i32(self, value: int, field: str | None = None) -> None:
        self._push(_I32, value, field)

    def push_u64(self, value: int, field: str | None = None) -> None:
        self._push(_U64, value, field)

    def push_bytes(self, value: bytes, n: int | None = None, field: str | None = None) -> None:
        """Raw bytes; with ``n``, exactly ``n`` of them (shorter values padded with 0x00)."""
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise LocalProtocolError(f"{field or 'value'} must be bytes, got "
                                     f"{type(value).__name__}", msg_id=self.msg_id, field=field)
        if n is not None:
            if len(value) > n:
                raise LocalProtocolError(f"{len(value)} bytes do not fit {n}",
                                         msg_id=self.msg_id, field=field)
            value = bytes(value).ljust(n, b"\x00")
        self._out += value

    def push_bcd(self, digits: str, n: int, field: str | None = None) -> None:
        self._out += bcd_from_digits(digits, n, field or "bcd", self.msg_id)

    def _gbk(self, text: str, field: str | None) -> bytes:
        try:
            return text.encode("gbk", _GBK_ERRORS)
        except (UnicodeEncodeError, AttributeError) as exc:
            raise LocalProtocolError(f"{text!r} cannot be encoded as GBK",
                                     msg_id=self.msg_id, field=field) from exc

    def push_gbk(self, text: str, n: int | None = None, field: str | None = None) -> None:
        """A GBK string; with ``n``, fixed width padded with 0x00 at the end."""
        self.push_bytes(self._gbk(text, field), n, field)

    def push_gbk_u8len(self, text: str, field: str | None = None) -> None:
        raw = self._gbk(text, field)
        self.push_u8(len(raw), field)
        self._out += raw

    def push_gbk_u16len(self, text: str, field: str | None = None) -> None:
        raw = self._gbk(text, field)
        self.push_u16(len(raw), field)
        self._out += raw
