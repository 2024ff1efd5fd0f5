"""The message header (JT/T 808 §4.4.3, 2019 §4.4.3).

::

    2011/2013: msg_id WORD | props WORD | phone BCD[6]                  | serial WORD | [total WORD | index WORD]
    2019:      msg_id WORD | props WORD | version BYTE | phone BCD[10]  | serial WORD | [total WORD | index WORD]
    props:     bits 0-9 body length | 10-12 encryption | 13 subpackaged | 14 version flag | 15 reserved
"""
from __future__ import annotations

import enum
import functools
import struct
from typing import NamedTuple, Sequence


from ..errors import HeaderError, LocalProtocolError
from ._buffer import bcd_from_digits

__all__ = ["Version", "Header", "MAX_BODY", "header_size"]

MAX_BODY = 0x3FF  # bits 0-9 of the properties word

# total WORD | index WORD
_PACKET = struct.Struct(">HH")
# whole headers without the packet item, one struct call each (the hot path):
# 2011/2013: msg_id WORD | props WORD | phone BCD[6] | serial WORD
_HEAD_2013 = struct.Struct(">HH6sH")
# 2019: msg_id WORD | props WORD | protocol version BYTE | phone BCD[10] | serial WORD
_HEAD_2019 = struct.Struct(">HHB10sH")

_ENCRYPTION_SHIFT = 10
_SUBPACKAGED = 1 << 13
_VERSION_FLAG = 1 << 14
_RESERVED = 1 << 15


class Version(enum.IntEnum):
    """Protocol version. 2011 and 2013 share one header layout; only bodies differ."""

    V2011 = 2011
    V2013 = 2013
    V2019 = 2019


class _HeaderFields(NamedTuple):
    msg_id: int
    phone: str
    serial: int = 0
    version: Version = Version.V2013
    encryption: int = 0
    packet: tuple[int, int] | None = None
    protocol_version: int = 1
    version_flag: bool | None = None
    reserved: bool = False


class Header(_HeaderFields):
    """A frame header in user terms; the body length is the frame's, not stored here.

    ``phone`` is a string of decimal digits: 12 for 2011/2013, 20 for 2019 (shorter
    strings are zero-padded on the left, as the BCD on the wire has them).
    ``packet`` is ``(total, index)`` for a subpacket, index counting from 1.
    ``version_flag`` and ``reserved`` keep quirky property bits so that a frame
    re-packs byte for byte: ``version_flag`` is ``None`` when bit 14 agrees with
    ``version``. Immutable (a named tuple: cheap to build on the hot path);
    ``header._replace(serial=...)`` makes a changed copy.
    """

    __slots__ = ()

    def __new__(cls, msg_id: int, phone: str, serial: int = 0,
                version: Version = Version.V2013, encryption: int = 0,
                packet: Sequence[int] | None = None, protocol_version: int = 1,
                version_flag: bool | None = None, reserved: bool = False) -> "Header":
        try:
            version = Version(version)
        except ValueError:
            raise LocalProtocolError(f"version must be one of {[v.value for v in Version]}, "
                                     f"got {version!r}", msg_id=msg_id, field="version") from None
        if not isinstance(phone, str):
            raise LocalProtocolError(f"phone must be a string of digits, got {phone!r}",
                                     msg_id=msg_id, field="phone")
        width = 20 if version is Version.V2019 else 12
        if len(phone) < width:
            phone = phone.rjust(width, "0")
        if packet is not None:
            packet = tuple(packet)
            if not (len(packet) == 2 and 1 <= packet[1] <= packet[0] <= 0xFFFF):
                raise LocalProtocolError(f"packet (total, index) must satisfy 1 <= index <= "
                                         f"total <= 65535, got {packet!r}", msg_id=msg_id,
                                         field="packet")
        return tuple.__new__(cls, (msg_id, phone, serial, version, encryption, packet,
                                   protocol_version, version_flag, reserved))

    @property
    def is_2019(self) -> bool:
        return self.version is Version.V2019

    def size(self) -> int:
        return header_size(self.version is Version.V2019, self.packet is not None)

    def encode(self, body_length: int) -> bytes:
        """Header bytes for a body of ``body_length`` bytes."""
        if not 0 <= body_length <= MAX_BODY:
            raise LocalProtocolError(f"body of {body_length} bytes exceeds {MAX_BODY}; split it "
                                     "into subpackets", msg_id=self.msg_id, field="body")
        if not (isinstance(self.encryption, int) and 0 <= self.encryption <= 7):
            raise LocalProtocolError(f"encryption must be 0-7, got {self.encryption}",
                                     msg_id=self.msg_id, field="encryption")
        is_2019 = self.version is Version.V2019
        flag = is_2019 if self.version_flag is None else self.version_flag
        props = (body_length | self.encryption << _ENCRYPTION_SHIFT
                 | (_SUBPACKAGED if self.packet is not None else 0)
                 | (_VERSION_FLAG if flag else 0) | (_RESERVED if self.reserved else 0))
        try:
            if is_2019:
                out = _HEAD_2019.pack(self.msg_id, props, self.protocol_version,
                                      _phone_bcd(self.phone, 10), self.serial)
            else:
                out = _HEAD_2013.pack(self.msg_id, props, _phone_bcd(self.phone, 6), self.serial)
            if self.packet is not None:
                out += _PACKET.pack(*self.packet)
        except LocalProtocolError:      # a ValueError too (issue 12): it names its field
            raise
        except (struct.error, ValueError, TypeError) as exc:
            raise LocalProtocolError(f"header value out of range: {exc}", msg_id=self.msg_id,
                                     field=self._bad_field()) from exc
        return out

    def _bad_field(self) -> str:
        """The first field that does not fit its wire width (on the error path only)."""
        limits = (("msg_id", self.msg_id, 0xFFFF), ("serial", self.serial, 0xFFFF),
                  ("protocol_version", self.protocol_version, 0xFF))
        for name, value, top in limits:
            if not (isinstance(value, int) and 0 <= value <= top):
                return name
        return "header"

    @classmethod
    def decode(cls, raw: bytes, version: Version | None = None, *,
               strict: bool = False) -> tuple["Header", int]:
        """Parse the header at the start of ``raw`` (unescaped, check code stripped).

        Returns the header and the body length it declares. ``version`` overrides the
        version flag (a per-connection setting for devices that get bit 14 wrong);
        ``None`` means bit 14 decides, and a header without it is read as 2013.
        A phone with non-decimal BCD nibbles is kept as its hex digits (it re-encodes
        to the same bytes; :attr:`phone_is_bcd` is False); ``strict=True`` refuses it.
        """
        header, body_length, _ = _decode(cls, raw, version, strict)
        return header, body_length

    @property
    def phone_is_bcd(self) -> bool:
        """The phone is decimal digits (False: a device wrote non-decimal nibbles)."""
        return self.phone.isdigit()


def _decode(cls: type[Header], raw: bytes, version: Version | None,
            strict: bool = False) -> tuple[Header, int, int]:
    """:meth:`Header.decode`, also returning the header's size (for unpack)."""
    if len(raw) < 12:
        raise HeaderError(f"frame of {len(raw)} bytes is shorter than the smallest header",
                          offset=0)
    props = raw[2] << 8 | raw[3]
    flag = bool(props & _VERSION_FLAG)
    if version is None:
        version = _V2019 if flag else _V2013
    is_2019 = version is _V2019
    subpackaged = bool(props & _SUBPACKAGED)
    size = _SIZES[is_2019, subpackaged]
    if len(raw) < size:
        raise HeaderError(f"header needs {size} bytes, frame has {len(raw)}",
                          msg_id=raw[0] << 8 | raw[1], offset=0)
    if is_2019:
        msg_id, _, protocol_version, bcd, serial = _HEAD_2019.unpack_from(raw)
        phone_offset, pos = 5, 17
    else:
        msg_id, _, bcd, serial = _HEAD_2013.unpack_from(raw)
        protocol_version, phone_offset, pos = 1, 4, 12
    phone = bcd.hex()
    if strict and not phone.isdigit():
        raise HeaderError(f"phone is not BCD: {phone}", msg_id=msg_id, field="phone",
                          offset=phone_offset)
    packet = None
    if subpackaged:
        packet = _PACKET.unpack_from(raw, pos)
        if not 1 <= packet[1] <= packet[0]:
            raise HeaderError(f"subpacket index {packet[1]} of total {packet[0]} is impossible",
                              msg_id=msg_id, field="packet", offset=pos)
    # Every field is checked above: build the tuple directly (this is the hot path).
    header = tuple.__new__(cls, (msg_id, phone, serial, version,
                                 (props >> _ENCRYPTION_SHIFT) & 7, packet, protocol_version,
                                 None if flag == is_2019 else flag,
                                 bool(props & _RESERVED)))
    return header, props & MAX_BODY, size


def header_size(is_2019: bool, subpackaged: bool) -> int:
    return (17 if is_2019 else 12) + (4 if subpackaged else 0)


_SIZES = {(is_2019, sub): header_size(is_2019, sub) for is_2019 in (False, True)
          for sub in (False, True)}
_V2013, _V2019 = Version.V2013, Version.V2019


@functools.lru_cache(maxsize=4096)
def _phone_bcd(phone: str, width: int) -> bytes:
    return bcd_from_digits(phone, width, "phone")
