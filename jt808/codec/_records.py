"""Driving recorder, electronic waybill, driver identity and CAN bus data.

JT/T 808-2013 §8.35-8.41 (0x8700, 0x0700, 0x8701, 0x0701, 0x0702, 0x8702, 0x0705),
2019 §8.38-8.44. The driving recorder data block (GB/T 19056: ``55 7A`` command, length,
reserve, data, check) is kept as bytes in ``cmd_data``.
"""
from __future__ import annotations

import datetime as _dt
from typing import ClassVar

import attrs

from ..errors import LocalProtocolError, RemoteProtocolError
from ..frame import Buffer, Version
from ._base import (ALL_VERSIONS, SINCE_2013, EmptyBody, Message, by_version, pull_time,
                    push_time, register)

__all__ = [
    "RecorderDataCollect", "RecorderDataUpload", "RecorderParamsDownload",
    "ElectronicWaybill", "DriverIdentityReport", "DriverIdentityRequest",
    "CanItem", "CanBusDataUpload",
]


def _as_bytes(buf: Buffer, value: bytes, field: str) -> bytes:
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise LocalProtocolError(f"{value!r} is not bytes", msg_id=buf.msg_id, field=field)
    return bytes(value)


@attrs.frozen(slots=True)
class _RecorderCommand(Message):
    """Shared layout of 0x8700 and 0x8701: command word BYTE | GB/T 19056 block (the rest)."""

    cmd_word: int
    cmd_data: bytes = b""

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.cmd_word, "cmd_word")
        buf.push_bytes(self.cmd_data, None, "cmd_data")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version):
        return cls(buf.pull_u8("cmd_word"), buf.pull_rest())


@register
@attrs.frozen(slots=True)
class RecorderDataCollect(_RecorderCommand):
    """0x8700: driving recorder data collection command; ``cmd_data`` the GB/T 19056
    block (may be empty)."""

    MSG_ID: ClassVar[int] = 0x8700
    VERSIONS = ALL_VERSIONS


@register
@attrs.frozen(slots=True)
class RecorderDataUpload(Message):
    """0x0700: driving recorder data, answering the 0x8700 with serial ``reply_serial``."""

    MSG_ID: ClassVar[int] = 0x0700
    VERSIONS = ALL_VERSIONS
    reply_serial: int
    cmd_word: int
    cmd_data: bytes = b""

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u16(self.reply_serial, "reply_serial")
        buf.push_u8(self.cmd_word, "cmd_word")
        buf.push_bytes(self.cmd_data, None, "cmd_data")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "RecorderDataUpload":
        return cls(buf.pull_u16("reply_serial"), buf.pull_u8("cmd_word"), buf.pull_rest())


@register
@attrs.frozen(slots=True)
class RecorderParamsDownload(_RecorderCommand):
    """0x8701: driving recorder parameter download (GB/T 19056 block in ``cmd_data``)."""

    MSG_ID: ClassVar[int] = 0x8701
    VERSIONS = ALL_VERSIONS


@register
@attrs.frozen(slots=True)
class ElectronicWaybill(Message):
    """0x0701: electronic waybill: length DWORD, content."""

    MSG_ID: ClassVar[int] = 0x0701
    VERSIONS = ALL_VERSIONS
    data: bytes

    def encode_into(self, buf: Buffer, version: Version) -> None:
        data = _as_bytes(buf, self.data, "data")
        buf.push_u32(len(data), "data")
        buf.push_bytes(data)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "ElectronicWaybill":
        return cls(buf.pull_bytes(buf.pull_u32("data_length"), "data"))


# -- driver identity (0x0702) -----------------------------------------------------------

CARD_INSERTED = 0x01   # status: qualification IC card inserted (driver on duty)
CARD_REMOVED = 0x02    # status: card pulled out (driver off duty)
READ_OK = 0x00         # IC card read result: success; the driver fields follow

# qualification certificate code width: 2011 STRING[40], 2013/2019 STRING[20]
_QUALIFICATION_WIDTH = {Version.V2011: 40, Version.V2013: 20}
_ID_NUMBER_WIDTH = 20   # 2011 (before the certificate) and 2019 (at the end)


def _push_date(buf: Buffer, value: _dt.date | None, field: str) -> None:
    """BCD[4] ``YYYYMMDD``; ``None`` is four zero bytes."""
    if value is None:
        buf.push_bytes(bytes(4))
        return
    try:
        digits = f"{value.year:04d}{value.month:02d}{value.day:02d}"
    except AttributeError as exc:
        raise LocalProtocolError(f"{value!r} is not a date", msg_id=buf.msg_id,
                                 field=field) from exc
    buf.push_bcd(digits, 4, field)


def _impossible(buf: Buffer, what: str, digits: str, exc: ValueError, field: str,
                offset: int, size: int) -> None:
    """A BCD date or time that is no date: a strict buffer refuses it; a tolerant one
    reads ``None`` and keeps the bytes (written back on re-encode, as ``pull_time``)."""
    if buf.strict:
        raise RemoteProtocolError(f"BCD {what} {digits} is not a {what}: {exc}",
                                  msg_id=buf.msg_id, field=field, offset=offset) from None
    buf.quirk(f"BCD {what} {digits} is not a {what}: read as None, bytes kept", field, offset)
    buf.kept.append((offset, buf.data[offset:offset + size], bytes(size)))


def _pull_date(buf: Buffer, field: str) -> _dt.date | None:
    offset = buf.pos
    digits = buf.pull_bcd(4, field)
    if digits == "00000000":
        return None
    try:
        return _dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError as exc:
        _impossible(buf, "date", digits, exc, field, offset, 4)
        return None


@register
@attrs.frozen(slots=True)
class DriverIdentityReport(Message):
    """0x0702: driver identity information.

    2013/2019: status BYTE, time BCD[6]; with status 1 the IC read result BYTE; with
    result 0 name (len BYTE + STRING), qualification certificate STRING[20], issuing
    agency (len BYTE + STRING), validity BCD[4] ``YYYYMMDD``; 2019 adds the driver id
    number STRING[20]. 2011 has only name (len BYTE + STRING), driver id number
    STRING[20], certificate STRING[40], agency (len BYTE + STRING): the other fields are
    not sent and decode as their defaults. ``extra`` keeps bytes some 2019 devices
    append after the id number (e.g. a face match value), re-encoded unchanged.
    """

    MSG_ID: ClassVar[int] = 0x0702
    VERSIONS = ALL_VERSIONS
    status: int = CARD_INSERTED
    time: _dt.datetime | None = None
    ic_read_result: int = READ_OK
    driver_name: str = ""
    qualification_certificate_code: str = ""
    issuing_agency_name: str = ""
    certificate_validity: _dt.date | None = None
    driver_id_number: str = ""
    extra: bytes = b""

    def encode_into(self, buf: Buffer, version: Version) -> None:
        if version is Version.V2011:
            self._encode_2011(buf)
            return
        buf.push_u8(self.status, "status")
        push_time(buf, self.time, "time")
        if self.status != CARD_INSERTED:
            return
        buf.push_u8(self.ic_read_result, "ic_read_result")
        if self.ic_read_result != READ_OK:
            return
        buf.push_gbk_u8len(self.driver_name, "driver_name")
        buf.push_gbk(self.qualification_certificate_code, by_version(version, _QUALIFICATION_WIDTH),
                     "qualification_certificate_code")
        buf.push_gbk_u8len(self.issuing_agency_name, "issuing_agency_name")
        _push_date(buf, self.certificate_validity, "certificate_validity")
        if version is Version.V2019:
            buf.push_gbk(self.driver_id_number, _ID_NUMBER_WIDTH, "driver_id_number")
            buf.push_bytes(self.extra, None, "extra")

    def _encode_2011(self, buf: Buffer) -> None:
        buf.push_gbk_u8len(self.driver_name, "driver_name")
        buf.push_gbk(self.driver_id_number, _ID_NUMBER_WIDTH, "driver_id_number")
        buf.push_gbk(self.qualification_certificate_code, _QUALIFICATION_WIDTH[Version.V2011],
                     "qualification_certificate_code")
        buf.push_gbk_u8len(self.issuing_agency_name, "issuing_agency_name")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "DriverIdentityReport":
        if version is Version.V2011:
            return cls(driver_name=buf.pull_gbk_u8len("driver_name"),
                       driver_id_number=buf.pull_gbk(_ID_NUMBER_WIDTH, "driver_id_number"),
                       qualification_certificate_code=buf.pull_gbk(
                           _QUALIFICATION_WIDTH[Version.V2011], "qualification_certificate_code"),
                       issuing_agency_name=buf.pull_gbk_u8len("issuing_agency_name"))
        status = buf.pull_u8("status")
        time = pull_time(buf, "time")
        if status != CARD_INSERTED:
            return cls(status, time)
        result = buf.pull_u8("ic_read_result")
        if result != READ_OK:
            return cls(status, time, result)
        name = buf.pull_gbk_u8len("driver_name")
        code = buf.pull_gbk(by_version(version, _QUALIFICATION_WIDTH),
                            "qualification_certificate_code")
        agency = buf.pull_gbk_u8len("issuing_agency_name")
        validity = _pull_date(buf, "certificate_validity")
        if version is not Version.V2019:
            return cls(status, time, result, name, code, agency, validity)
        id_number = buf.pull_gbk(_ID_NUMBER_WIDTH, "driver_id_number")
        return cls(status, time, result, name, code, agency, validity, id_number,
                   buf.pull_rest())


@register
@attrs.frozen(slots=True)
class DriverIdentityRequest(EmptyBody):
    """0x8702 (2013+): ask the terminal for 0x0702; empty body."""

    MSG_ID: ClassVar[int] = 0x8702
    VERSIONS = SINCE_2013


# -- CAN bus (0x0705) ------------------------------------------------------------------

_CAN_ID_MASK = 0x1FFFFFFF   # bits 0-28 of the item's DWORD
_CAN_DATA_SIZE = 8


@attrs.frozen(slots=True)
class CanItem:
    """One CAN frame of 0x0705: id DWORD (bit 31 channel 0 CAN1 / 1 CAN2, bit 30 frame
    type 0 standard / 1 extended, bit 29 collection 0 raw / 1 average, bits 0-28 the
    bus id) and data BYTE[8]."""

    can_id: int
    can_data: bytes
    can_channel_no: int = 0
    frame_type: int = 0
    collection_method: int = 0

    def word(self, msg_id: int | None = None) -> int:
        flags = (self.can_channel_no, self.frame_type, self.collection_method)
        if not 0 <= self.can_id <= _CAN_ID_MASK or any(flag not in (0, 1) for flag in flags):
            raise LocalProtocolError(f"CAN id {self.can_id!r} / flags {flags} do not fit "
                                     "29 bits + 3 one-bit flags", msg_id=msg_id, field="can_id")
        return (self.can_channel_no << 31 | self.frame_type << 30
                | self.collection_method << 29 | self.can_id)

    @classmethod
    def from_word(cls, word: int, data: bytes) -> "CanItem":
        return cls(word & _CAN_ID_MASK, data, word >> 31, word >> 30 & 1, word >> 29 & 1)


def _push_hms_ms(buf: Buffer, value: _dt.time | None, field: str) -> None:
    """BCD[5] ``hhmmss`` + milliseconds as four digits (``None``: five zero bytes, what a
    tolerant decode reads from an impossible time, whose bytes it keeps)."""
    if value is None:
        buf.push_bytes(bytes(5))
        return
    try:
        millis, rest = divmod(value.microsecond, 1000)
        digits = f"{value.hour:02d}{value.minute:02d}{value.second:02d}{millis:04d}"
    except AttributeError as exc:
        raise LocalProtocolError(f"{value!r} is not a time", msg_id=buf.msg_id,
                                 field=field) from exc
    if rest:
        raise LocalProtocolError(f"{value!r} is finer than a millisecond", msg_id=buf.msg_id,
                                 field=field)
    buf.push_bcd(digits, 5, field)


def _pull_hms_ms(buf: Buffer, field: str) -> _dt.time | None:
    offset = buf.pos
    digits = buf.pull_bcd(5, field)
    try:
        return _dt.time(int(digits[:2]), int(digits[2:4]), int(digits[4:6]),
                        int(digits[6:]) * 1000)
    except ValueError as exc:
        _impossible(buf, "time", digits, exc, field, offset, 5)
        return None


@register
@attrs.frozen(slots=True)
class CanBusDataUpload(Message):
    """0x0705: count WORD, receive time of the first frame BCD[5] (``datetime.time`` with
    milliseconds; ``None`` only where a tolerant decode met an impossible time), items
    (id DWORD, data BYTE[8])."""

    MSG_ID: ClassVar[int] = 0x0705
    VERSIONS = ALL_VERSIONS
    receive_time: _dt.time | None
    items: tuple[CanItem, ...] = ()

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u16(len(self.items), "items")
        _push_hms_ms(buf, self.receive_time, "receive_time")
        for item in self.items:
            buf.push_u32(item.word(buf.msg_id), "can_id")
            data = _as_bytes(buf, item.can_data, "can_data")
            if len(data) != _CAN_DATA_SIZE:
                raise LocalProtocolError(f"CAN data must be {_CAN_DATA_SIZE} bytes, got "
                                         f"{len(data)}", msg_id=buf.msg_id, field="can_data")
            buf.push_bytes(data)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "CanBusDataUpload":
        count = buf.pull_u16("item_count")
        receive_time = _pull_hms_ms(buf, "receive_time")
        items = tuple(CanItem.from_word(buf.pull_u32("can_id"),
                                        buf.pull_bytes(_CAN_DATA_SIZE, "can_data"))
                      for _ in range(count))
        return cls(receive_time, items)
