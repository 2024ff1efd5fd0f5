"""General replies, heartbeat, logout, registration and authentication.

JT/T 808-2013 §8.1-8.5, 2019 §8.1-8.5 (0x0001, 0x8001, 0x0002, 0x0003, 0x0100,
0x8100, 0x0102).
"""
from __future__ import annotations

import struct
from typing import ClassVar

import attrs

from ..errors import LocalProtocolError
from ..frame import Buffer, Version
from ._base import ALL_VERSIONS, EmptyBody, Message, by_version, register

__all__ = [
    "TerminalGeneralResponse", "PlatformGeneralResponse", "Heartbeat", "TerminalLogout",
    "TerminalRegister", "TerminalRegisterResponse", "TerminalAuth",
]

# reply serial WORD | reply id WORD | result BYTE
_GENERAL_RESPONSE = struct.Struct(">HHB")


@attrs.frozen(slots=True)
class _GeneralResponse(Message):
    """Shared layout of 0x0001 and 0x8001. ``result``: 0 ok, 1 failure, 2 wrong message,
    3 not supported (0x8001 adds 4, alarm handling confirmed)."""

    reply_serial: int
    reply_id: int
    result: int = 0

    def encode_into(self, buf: Buffer, version: Version) -> None:
        try:
            buf.push_bytes(_GENERAL_RESPONSE.pack(self.reply_serial, self.reply_id, self.result))
        except struct.error as exc:
            raise LocalProtocolError(f"reply field out of range: {exc}", msg_id=self.MSG_ID,
                                     field="reply_serial/reply_id/result") from exc

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version):
        return cls(buf.pull_u16("reply_serial"), buf.pull_u16("reply_id"), buf.pull_u8("result"))


@register
@attrs.frozen(slots=True)
class TerminalGeneralResponse(_GeneralResponse):
    """0x0001: the terminal's answer to a platform message."""

    MSG_ID: ClassVar[int] = 0x0001


@register
@attrs.frozen(slots=True)
class PlatformGeneralResponse(_GeneralResponse):
    """0x8001: the platform's answer to a terminal message."""

    MSG_ID: ClassVar[int] = 0x8001


@register
@attrs.frozen(slots=True)
class Heartbeat(EmptyBody):
    """0x0002: terminal heartbeat, empty body."""

    MSG_ID: ClassVar[int] = 0x0002


@register
@attrs.frozen(slots=True)
class TerminalLogout(EmptyBody):
    """0x0003: terminal logout, empty body."""

    MSG_ID: ClassVar[int] = 0x0003


# manufacturer, model, terminal id: fixed widths per version, 0x00-padded at the end
_REGISTER_WIDTHS = {
    Version.V2011: (5, 8, 7),
    Version.V2013: (5, 20, 7),
    Version.V2019: (11, 30, 30),
}


def _padded_only(body: bytes, version: Version) -> bool:
    """The 0x0100 fixed-width fields of ``version`` fit ``body``, and none has text
    after its NUL padding."""
    pos = 4
    for width in _REGISTER_WIDTHS[version]:
        field = body[pos:pos + width]
        if len(field) < width or field.rstrip(b"\x00").find(b"\x00") != -1:
            return False
        pos += width
    return len(body) > pos and b"\x00" not in body[pos + 1:]   # color, then the plate


@register
@attrs.frozen(slots=True)
class TerminalRegister(Message):
    """0x0100: terminal registration.

    ``province_id``/``city_id`` are the GB/T 2260 codes as numbers; ``license_plate`` is
    the plate, or the VIN when ``license_plate_color`` is 0 (no plate).
    """

    MSG_ID: ClassVar[int] = 0x0100
    province_id: int
    city_id: int
    manufacturer_id: str
    terminal_model: str
    terminal_id: str
    license_plate_color: int
    license_plate: str

    def encode_into(self, buf: Buffer, version: Version) -> None:
        maker, model, ident = by_version(version, _REGISTER_WIDTHS)
        buf.push_u16(self.province_id, "province_id")
        buf.push_u16(self.city_id, "city_id")
        buf.push_gbk(self.manufacturer_id, maker, "manufacturer_id")
        buf.push_gbk(self.terminal_model, model, "terminal_model")
        buf.push_gbk(self.terminal_id, ident, "terminal_id")
        buf.push_u8(self.license_plate_color, "license_plate_color")
        buf.push_gbk(self.license_plate, None, "license_plate")

    @classmethod
    def layout_version(cls, body: bytes, version: Version) -> Version:
        """2011 or 2013 for a body given as either (the headers look alike): the
        reading whose fixed-width fields are all text-then-NUL-padding, when only one
        is. A 2011 body with a 17-character VIN as plate is >= 37 bytes, as long as a
        2013 body, and its 2013 reading has text after padding (``EC200U\\0\\0T0001``)."""
        fits = {v: _padded_only(body, v) for v in (Version.V2011, Version.V2013)}
        if fits[Version.V2011] != fits[Version.V2013]:
            return Version.V2011 if fits[Version.V2011] else Version.V2013
        return version

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "TerminalRegister":
        maker, model, ident = by_version(version, _REGISTER_WIDTHS)
        return cls(buf.pull_u16("province_id"), buf.pull_u16("city_id"),
                   buf.pull_gbk(maker, "manufacturer_id"), buf.pull_gbk(model, "terminal_model"),
                   buf.pull_gbk(ident, "terminal_id"), buf.pull_u8("license_plate_color"),
                   buf.pull_gbk_rest())


@register
@attrs.frozen(slots=True)
class TerminalRegisterResponse(Message):
    """0x8100: registration result (0 ok, 1 vehicle registered, 2 no such vehicle,
    3 terminal registered, 4 no such terminal); ``auth_code`` only with result 0."""

    MSG_ID: ClassVar[int] = 0x8100
    reply_serial: int
    result: int
    auth_code: str = ""

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u16(self.reply_serial, "reply_serial")
        buf.push_u8(self.result, "result")
        if self.result == 0:                          # the code only with success
            buf.push_gbk(self.auth_code, None, "auth_code")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "TerminalRegisterResponse":
        serial, result = buf.pull_u16("reply_serial"), buf.pull_u8("result")
        # a code after a failed result is not the standard's: left for the caller to keep
        # as ``trailing`` (tolerant) or refuse (strict)
        return cls(serial, result, buf.pull_gbk_rest() if result == 0 else "")


@register
@attrs.frozen(slots=True)
class TerminalAuth(Message):
    """0x0102: authentication. 2011/2013: the code is the whole body; 2019 adds the
    code's length, IMEI BYTE[15] and software version BYTE[20]."""

    MSG_ID: ClassVar[int] = 0x0102
    VERSIONS = ALL_VERSIONS
    auth_code: str
    imei: str = ""
    app_version: str = ""

    def encode_into(self, buf: Buffer, version: Version) -> None:
        if version is Version.V2019:
            buf.push_gbk_u8len(self.auth_code, "auth_code")
            buf.push_gbk(self.imei, 15, "imei")
            buf.push_gbk(self.app_version, 20, "app_version")
        else:
            buf.push_gbk(self.auth_code, None, "auth_code")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "TerminalAuth":
        if version is Version.V2019:
            return cls(buf.pull_gbk_u8len("auth_code"), buf.pull_gbk(15, "imei"),
                       buf.pull_gbk(20, "app_version"))
        return cls(buf.pull_gbk_rest())


