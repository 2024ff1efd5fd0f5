"""Link-level messages the session handles itself.

0x8003 platform asks for packets again · 0x0005 terminal asks for packets again (2019;
also seen from 2013 devices) · 0x0004/0x8004 server time · 0x8204 link check (2019) ·
0x8800 media upload reply (resend list by packet index) · 0x8A00/0x0A00 RSA public keys.
"""
from __future__ import annotations

import datetime as _dt
from typing import ClassVar, Iterable

import attrs

from ..errors import LocalProtocolError
from ..frame import Buffer, Version
from ._base import (ALL_VERSIONS, ONLY_2019, SINCE_2013, EmptyBody, Message, pull_time,
                    push_time, register)

__all__ = [
    "ResendRequest", "TerminalResendRequest", "QueryServerTime", "ServerTimeResponse",
    "LinkCheck", "MediaUploadResponse", "PlatformRsaKey", "TerminalRsaKey",
    "standard_count_width",
]


def _push_ids(buf: Buffer, ids: tuple[int, ...], count_is_word: bool) -> None:
    if count_is_word:
        buf.push_u16(len(ids), "count")
    else:
        buf.push_u8(len(ids), "count")
    for packet_id in ids:
        buf.push_u16(packet_id, "packet_ids")


def _pull_ids(buf: Buffer, count_is_word: bool) -> tuple[int, ...]:
    count = buf.pull_u16("count") if count_is_word else buf.pull_u8("count")
    return tuple(buf.pull_u16("packet_ids") for _ in range(count))


def standard_count_width(version: Version) -> int:
    """The width of the 0x8003/0x0005 count in the standard's text: WORD in 2019, else BYTE."""
    return 2 if version is Version.V2019 else 1


def _check_width(instance: object, attribute: object, value: int | None) -> None:
    if value not in (None, 1, 2):
        raise LocalProtocolError(f"count_width must be 1 (BYTE), 2 (WORD) or None, not "
                                 f"{value!r}", field="count_width")


def _int_tuple(ids: Iterable[int]) -> tuple[int, ...]:
    return tuple(ids)


@attrs.frozen(slots=True)
class _ResendRequestBase(Message):
    """original serial WORD | count BYTE or WORD | ids WORD[count].

    ``original_serial`` is the serial of the first packet of the split message.
    ``packet_ids`` name the packets to send again; peers differ on what they are
    (packet indexes from 1, or the packets' serials): a sender of the message serves
    both readings. The count is a WORD in the 2019 text and a BYTE before; several
    platforms write a BYTE in 2019 too. Decoding reads the width from the body length
    (odd: BYTE, even: WORD) in every version and keeps it in ``count_width`` (not part
    of equality), so the body re-encodes unchanged; ``count_width=None`` encodes the
    version's standard width (:func:`standard_count_width`).
    """

    original_serial: int
    packet_ids: tuple[int, ...] = attrs.field(default=(), converter=_int_tuple)
    count_width: int | None = attrs.field(default=None, eq=False, kw_only=True,
                                          validator=_check_width)

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u16(self.original_serial, "original_serial")
        width = self.count_width or standard_count_width(version)
        _push_ids(buf, self.packet_ids, width == 2)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version):
        original = buf.pull_u16("original_serial")
        width = 1 if (len(buf.data) - buf.pos) % 2 else 2
        ids = _pull_ids(buf, width == 2)
        return cls(original, ids,
                   count_width=None if width == standard_count_width(version) else width)


@register
@attrs.frozen(slots=True)
class ResendRequest(_ResendRequestBase):
    """0x8003: the platform asks the terminal to send these packets again."""

    MSG_ID: ClassVar[int] = 0x8003
    VERSIONS: ClassVar[frozenset[Version]] = ALL_VERSIONS


@register
@attrs.frozen(slots=True)
class TerminalResendRequest(_ResendRequestBase):
    """0x0005: the terminal asks the platform to send these packets again."""

    MSG_ID: ClassVar[int] = 0x0005
    VERSIONS: ClassVar[frozenset[Version]] = SINCE_2013


@register
@attrs.frozen(slots=True)
class QueryServerTime(EmptyBody):
    """0x0004: the terminal asks for the server's time (empty body)."""

    MSG_ID: ClassVar[int] = 0x0004
    VERSIONS: ClassVar[frozenset[Version]] = SINCE_2013


@register
@attrs.frozen(slots=True)
class ServerTimeResponse(Message):
    """0x8004: server time, BCD[6] UTC (2019 §8.7)."""

    MSG_ID: ClassVar[int] = 0x8004
    VERSIONS: ClassVar[frozenset[Version]] = SINCE_2013
    time: _dt.datetime | None

    def encode_into(self, buf: Buffer, version: Version) -> None:
        push_time(buf, self.time)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "ServerTimeResponse":
        return cls(pull_time(buf))


@register
@attrs.frozen(slots=True)
class LinkCheck(EmptyBody):
    """0x8204: the platform checks the link; answered with 0x0001 (2019, empty body)."""

    MSG_ID: ClassVar[int] = 0x8204
    VERSIONS: ClassVar[frozenset[Version]] = ONLY_2019


@register
@attrs.frozen(slots=True)
class MediaUploadResponse(Message):
    """0x8800: the platform's answer to a whole 0x0801 upload.

    ``packet_ids`` are packet indexes (from 1) to send again; ``()`` means all arrived.
    ``None`` means the body stops after the media id (no count byte), as some
    platforms send it; it re-encodes that way.
    """

    MSG_ID: ClassVar[int] = 0x8800
    media_id: int
    packet_ids: tuple[int, ...] | None = ()

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u32(self.media_id, "media_id")
        if self.packet_ids is not None:
            _push_ids(buf, tuple(self.packet_ids), False)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "MediaUploadResponse":
        media_id = buf.pull_u32("media_id")
        if buf.eof():
            return cls(media_id, None)
        return cls(media_id, _pull_ids(buf, False))




@attrs.frozen(slots=True)
class _RsaKey(Message):
    e: int
    n: bytes

    def encode_into(self, buf: Buffer, version: Version) -> None:
        if len(self.n) != 128:
            raise LocalProtocolError(f"RSA modulus must be 128 bytes, got {len(self.n)}",
                                     msg_id=self.MSG_ID, field="n")
        buf.push_u32(self.e, "e")
        buf.push_bytes(self.n)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version):
        return cls(buf.pull_u32("e"), buf.pull_bytes(128, "n"))

    @property
    def modulus(self) -> int:
        return int.from_bytes(self.n, "big")


@register
@attrs.frozen(slots=True)
class PlatformRsaKey(_RsaKey):
    """0x8A00: the platform's RSA public key (e DWORD, n BYTE[128])."""

    MSG_ID: ClassVar[int] = 0x8A00


@register
@attrs.frozen(slots=True)
class TerminalRsaKey(_RsaKey):
    """0x0A00: the terminal's RSA public key (e DWORD, n BYTE[128])."""

    MSG_ID: ClassVar[int] = 0x0A00
