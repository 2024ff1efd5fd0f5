"""Multimedia, pass-through and compressed data.

JT/T 808-2011/2013/2019 multimedia and pass-through clauses: 0x0800 media event, 0x0801
media data, 0x0802 stored media search response, 0x0805 shoot-now response, 0x8801 shoot
now, 0x8802 stored media search, 0x8803 stored media upload, 0x8804 start recording,
0x8805 single stored media upload, 0x0900/0x8900 pass-through, 0x0901 compressed data.
(0x8800 is in ``_link``.)

Version differences: 2011's 0x0801 has no 28-byte location part and 2011's 0x0802 items
have no media id (both added in 2013; encoding them for 2011 leaves them out); 0x0805 and
0x8805 are new in 2013. The field names are the seed API's (``media_encoding``,
``event_code``, ``shooting_order``...), replies name the query's serial ``reply_serial``.
"""
from __future__ import annotations

import datetime as _dt
import gzip
import struct
import zlib
from typing import ClassVar, cast

import attrs

from ..errors import LocalProtocolError, RemoteProtocolError, TruncatedError
from ..frame import Buffer, Version
from ._base import ALL_VERSIONS, SINCE_2013, Message, pull_time, push_time, register
from ._location import LOCATION_BASIC_SIZE, LocationBasic, decode_location_basic

__all__ = [
    "MediaEventUpload", "MediaDataUpload", "StoredMediaItem", "StoredMediaSearchResponse",
    "CameraShootResponse", "CameraShootCommand", "StoredMediaSearch", "StoredMediaUpload",
    "RecordingCommand", "SingleStoredMediaUpload", "UplinkPassThrough", "DownlinkPassThrough",
    "CompressedDataUpload", "DECOMPRESS_LIMIT",
]

#: Largest body :meth:`CompressedDataUpload.decompressed` inflates to by default (1 MiB).
DECOMPRESS_LIMIT = 1 << 20


class _Layout:
    """A fixed run of integer fields: one ``struct`` call each way, and on failure the
    field that is short (decode) or does not fit (encode) is named."""

    __slots__ = ("struct", "names", "parts")

    def __init__(self, codes: str, names: tuple[str, ...]) -> None:
        assert len(codes) == len(names)
        self.struct = struct.Struct(">" + codes)
        self.names = names
        self.parts = tuple(struct.Struct(">" + code) for code in codes)

    def pull(self, buf: Buffer) -> tuple:
        pos = buf.pos
        if pos + self.struct.size <= len(buf.data):
            buf.pos = pos + self.struct.size
            return self.struct.unpack_from(buf.data, pos)
        for part, name in zip(self.parts, self.names):  # find the short field
            if buf.pos + part.size > len(buf.data):
                raise TruncatedError(f"needs {part.size} bytes, {len(buf.data) - buf.pos} left",
                                     msg_id=buf.msg_id, field=name, offset=buf.pos)
            buf.pos += part.size
        raise AssertionError("unreachable")  # pragma: no cover

    def push(self, buf: Buffer, values: tuple) -> None:
        try:
            buf.push_bytes(self.struct.pack(*values))
        except (struct.error, TypeError):
            for part, name, value in zip(self.parts, self.names, values):
                try:
                    part.pack(value)
                except (struct.error, TypeError) as exc:
                    raise LocalProtocolError(f"{value!r} does not fit {part.size * 8}-bit field",
                                             msg_id=buf.msg_id, field=name) from exc
            raise  # pragma: no cover


def _pull_location(buf: Buffer) -> LocationBasic:
    start = buf.pos
    basic = LocationBasic(*decode_location_basic(buf))
    buf.pos = start + LOCATION_BASIC_SIZE
    return basic


def _push_location(buf: Buffer, location: LocationBasic | None) -> None:
    if not isinstance(location, LocationBasic):
        raise LocalProtocolError(f"location must be a LocationBasic, got {location!r}",
                                 msg_id=buf.msg_id, field="location")
    location.encode_into(buf)


# media id DWORD | media type BYTE | media format BYTE | event BYTE | channel BYTE
_MEDIA_HEAD = _Layout("IBBBB", ("media_id", "media_type", "media_encoding", "event_code",
                                "channel_id"))


@register
@attrs.frozen(slots=True)
class MediaEventUpload(Message):
    """0x0800: a media item was made. ``media_type`` 0 image, 1 audio, 2 video;
    ``media_encoding`` 0 JPEG, 1 TIF, 2 MP3, 3 WAV, 4 WMV; ``event_code`` 0 platform
    command, 1 timer, 2 robbery alarm, 3 collision, 4/5 door open/closed, 6 door closed
    and speed over 20 km/h, 7 distance."""

    MSG_ID: ClassVar[int] = 0x0800
    VERSIONS = ALL_VERSIONS
    media_id: int
    media_type: int
    media_encoding: int
    event_code: int
    channel_id: int

    def encode_into(self, buf: Buffer, version: Version) -> None:
        _MEDIA_HEAD.push(buf, (self.media_id, self.media_type, self.media_encoding,
                               self.event_code, self.channel_id))

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "MediaEventUpload":
        return cls(*_MEDIA_HEAD.pull(buf))


@register
@attrs.frozen(slots=True)
class MediaDataUpload(Message):
    """0x0801: media data (the session splits it into packets). Fields as 0x0800, then
    ``location`` (the 0x0200 basic part, 2013/2019; ``None`` and absent in 2011) and
    ``media_data`` (the rest of the body)."""

    MSG_ID: ClassVar[int] = 0x0801
    VERSIONS = ALL_VERSIONS
    media_id: int
    media_type: int
    media_encoding: int
    event_code: int
    channel_id: int
    location: LocationBasic | None = None
    media_data: bytes = b""

    def encode_into(self, buf: Buffer, version: Version) -> None:
        _MEDIA_HEAD.push(buf, (self.media_id, self.media_type, self.media_encoding,
                               self.event_code, self.channel_id))
        if version is not Version.V2011:
            _push_location(buf, self.location)
        buf.push_bytes(self.media_data, None, "media_data")

    @classmethod
    def layout_version(cls, body: bytes, version: Version) -> Version:
        """2011 (no location part) or 2013: where the media data starts with the magic
        of its format (JPEG, TIF, MP3, WAV, WMV), when only one reading has it."""
        if len(body) < 8:
            return version
        magics = _MAGIC.get(body[5], ())
        at_2011 = any(body[8:].startswith(m) for m in magics)
        at_2013 = any(body[36:].startswith(m) for m in magics)
        if at_2011 != at_2013:
            return Version.V2011 if at_2011 else Version.V2013
        return version

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "MediaDataUpload":
        head = _MEDIA_HEAD.pull(buf)
        location = None if version is Version.V2011 else _pull_location(buf)
        args = (*head, location, buf.pull_rest())
        return cls(*args)


# media encoding -> how its data starts: 0 JPEG, 1 TIF, 2 MP3 (ID3 tag or frame sync),
# 3 WAV, 4 WMV (ASF header GUID)
_MAGIC: dict[int, tuple[bytes, ...]] = {
    0: (b"\xff\xd8",), 1: (b"II*\x00", b"MM\x00*"), 2: (b"ID3", b"\xff\xfb", b"\xff\xf3"),
    3: (b"RIFF",), 4: (bytes.fromhex("3026b275"),),
}

# (2013+: media id DWORD) | media type BYTE | channel BYTE | event BYTE | location BYTE[28]
_ITEM_HEAD = _Layout("BBB", ("media_type", "channel_id", "event_code"))


@attrs.frozen(slots=True)
class StoredMediaItem:
    """One 0x0802 search result (``media_id`` is ``None`` and absent in 2011)."""

    media_id: int | None
    media_type: int
    channel_id: int
    event_code: int
    location: LocationBasic


@register
@attrs.frozen(slots=True)
class StoredMediaSearchResponse(Message):
    """0x0802: answer to 0x8802: ``reply_serial``, then count WORD and the items."""

    MSG_ID: ClassVar[int] = 0x0802
    VERSIONS = ALL_VERSIONS
    reply_serial: int
    medias: tuple[StoredMediaItem, ...] = ()

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u16(self.reply_serial, "reply_serial")
        buf.push_u16(len(self.medias), "count")
        with_id = version is not Version.V2011
        for item in self.medias:
            if with_id:         # a None media_id is refused here (LocalProtocolError)
                buf.push_u32(cast(int, item.media_id), "media_id")
            _ITEM_HEAD.push(buf, (item.media_type, item.channel_id, item.event_code))
            _push_location(buf, item.location)

    @classmethod
    def layout_version(cls, body: bytes, version: Version) -> Version:
        """2011 (31-byte items, no media id) or 2013 (35-byte items), by the length the
        count calls for, when only one fits."""
        if len(body) < 4:
            return version
        count, size = int.from_bytes(body[2:4], "big"), len(body) - 4
        if count and size == 31 * count:
            return Version.V2011
        if count and size == 35 * count:
            return Version.V2013
        return version

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "StoredMediaSearchResponse":
        reply_serial = buf.pull_u16("reply_serial")
        count = buf.pull_u16("count")
        with_id = version is not Version.V2011
        items = []
        for _ in range(count):  # each item is >= 31 bytes: a short body stops the loop
            media_id = buf.pull_u32("media_id") if with_id else None
            head = _ITEM_HEAD.pull(buf)
            args = (media_id, *head, _pull_location(buf))
            items.append(StoredMediaItem(*args))
        return cls(reply_serial, tuple(items))


@register
@attrs.frozen(slots=True)
class CameraShootResponse(Message):
    """0x0805: answer to 0x8801. ``result`` 0 ok, 1 failure, 2 channel not supported.

    ``ids``: the media ids made (count WORD + DWORDs, sent with result 0). ``None``
    means no list on the wire (a failure); result 0 with ``None`` sends count 0.
    """

    MSG_ID: ClassVar[int] = 0x0805
    VERSIONS = SINCE_2013
    reply_serial: int
    result: int
    ids: tuple[int, ...] | None = None

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u16(self.reply_serial, "reply_serial")
        buf.push_u8(self.result, "result")
        ids = self.ids
        if ids is None:
            if self.result == 0:
                buf.push_u16(0, "count")
            return
        buf.push_u16(len(ids), "count")
        for media_id in ids:
            buf.push_u32(media_id, "ids")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "CameraShootResponse":
        reply_serial = buf.pull_u16("reply_serial")
        result = buf.pull_u8("result")
        if result != 0 and buf.eof():
            return cls(reply_serial, result, None)
        count = buf.pull_u16("count")
        if buf.remaining < 4 * count:
            raise TruncatedError(f"{count} ids need {4 * count} bytes, {buf.remaining} left",
                                 msg_id=buf.msg_id, field="ids", offset=buf.pos)
        ids = struct.unpack_from(f">{count}I", buf.data, buf.pos)
        buf.pos += 4 * count
        return cls(reply_serial, result, ids)


# channel BYTE | command WORD | interval WORD | save BYTE | resolution BYTE | quality BYTE |
# brightness BYTE | contrast BYTE | saturation BYTE | chroma BYTE
_SHOOT = _Layout("BHHBBBBBBB", ("channel_id", "shooting_order", "working_time", "save_flag",
                                "resolution", "quality", "brightness", "contrast",
                                "saturation", "chroma"))


@register
@attrs.frozen(slots=True)
class CameraShootCommand(Message):
    """0x8801: shoot now. ``shooting_order`` 0 stop, 0xFFFF record video, else the number
    of photos; ``working_time`` interval / recording time in s (0: minimum / continuous);
    ``save_flag`` 1 save, 0 upload now; ``resolution`` 0x01 320x240 ... 0x08 704x576
    (2019 adds 0x00 lowest, 0xFF highest); ``quality`` 1-10; ``brightness`` 0-255;
    ``contrast``/``saturation`` 0-127; ``chroma`` 0-255."""

    MSG_ID: ClassVar[int] = 0x8801
    VERSIONS = ALL_VERSIONS
    channel_id: int
    shooting_order: int
    working_time: int = 0
    save_flag: int = 0
    resolution: int = 1
    quality: int = 1
    brightness: int = 0
    contrast: int = 0
    saturation: int = 0
    chroma: int = 0

    def encode_into(self, buf: Buffer, version: Version) -> None:
        _SHOOT.push(buf, attrs.astuple(self, recurse=False))

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "CameraShootCommand":
        return cls(*_SHOOT.pull(buf))


# media type BYTE | channel BYTE | event BYTE | start BCD[6] | end BCD[6]
def _push_search(buf: Buffer, msg) -> None:
    _ITEM_HEAD.push(buf, (msg.media_type, msg.channel_id, msg.event_code))
    push_time(buf, msg.start_time, "start_time")
    push_time(buf, msg.end_time, "end_time")


def _pull_search(buf: Buffer) -> tuple:
    head = _ITEM_HEAD.pull(buf)
    return (*head, pull_time(buf, "start_time"), pull_time(buf, "end_time"))


@register
@attrs.frozen(slots=True)
class StoredMediaSearch(Message):
    """0x8802: search stored media. ``channel_id`` 0: every channel; times ``None``
    (all-zero BCD): no bound."""

    MSG_ID: ClassVar[int] = 0x8802
    VERSIONS = ALL_VERSIONS
    media_type: int
    channel_id: int
    event_code: int
    start_time: _dt.datetime | None = None
    end_time: _dt.datetime | None = None

    def encode_into(self, buf: Buffer, version: Version) -> None:
        _push_search(buf, self)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "StoredMediaSearch":
        return cls(*_pull_search(buf))


@register
@attrs.frozen(slots=True)
class StoredMediaUpload(Message):
    """0x8803: upload the stored media that match; ``delete_flag`` 0 keep, 1 delete."""

    MSG_ID: ClassVar[int] = 0x8803
    VERSIONS = ALL_VERSIONS
    media_type: int
    channel_id: int
    event_code: int
    start_time: _dt.datetime | None = None
    end_time: _dt.datetime | None = None
    delete_flag: int = 0

    def encode_into(self, buf: Buffer, version: Version) -> None:
        _push_search(buf, self)
        buf.push_u8(self.delete_flag, "delete_flag")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "StoredMediaUpload":
        args = (*_pull_search(buf), buf.pull_u8("delete_flag"))
        return cls(*args)


# command BYTE | time WORD | save BYTE | sample rate BYTE
_RECORDING = _Layout("BHBB", ("recording_cmd", "recording_time", "save_flag",
                              "audio_sample_rate"))


@register
@attrs.frozen(slots=True)
class RecordingCommand(Message):
    """0x8804: ``recording_cmd`` 0 stop, 1 start; ``recording_time`` s (0: continuous);
    ``save_flag`` 0 upload now, 1 store; ``audio_sample_rate`` 0 8K, 1 11K, 2 23K, 3 32K."""

    MSG_ID: ClassVar[int] = 0x8804
    VERSIONS = ALL_VERSIONS
    recording_cmd: int
    recording_time: int = 0
    save_flag: int = 0
    audio_sample_rate: int = 0

    def encode_into(self, buf: Buffer, version: Version) -> None:
        _RECORDING.push(buf, attrs.astuple(self, recurse=False))

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "RecordingCommand":
        return cls(*_RECORDING.pull(buf))


# media id DWORD | delete flag BYTE
_SINGLE = _Layout("IB", ("media_id", "delete_flag"))


@register
@attrs.frozen(slots=True)
class SingleStoredMediaUpload(Message):
    """0x8805: upload one stored media item; ``delete_flag`` 0 keep, 1 delete."""

    MSG_ID: ClassVar[int] = 0x8805
    VERSIONS = SINCE_2013
    media_id: int
    delete_flag: int = 0

    def encode_into(self, buf: Buffer, version: Version) -> None:
        _SINGLE.push(buf, (self.media_id, self.delete_flag))

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "SingleStoredMediaUpload":
        return cls(*_SINGLE.pull(buf))


@attrs.frozen(slots=True)
class _PassThrough(Message):
    """type BYTE | content (the rest). ``data_type`` 0x00 GNSS detail, 0x0B IC card,
    0x41/0x42 serial port 1/2, 0xF0-0xFF user defined."""

    data_type: int
    data: bytes = b""

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.data_type, "data_type")
        buf.push_bytes(self.data, None, "data")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version):
        return cls(buf.pull_u8("data_type"), buf.pull_rest())


@register
@attrs.frozen(slots=True)
class UplinkPassThrough(_PassThrough):
    """0x0900: data from the terminal passed through to the platform."""

    MSG_ID: ClassVar[int] = 0x0900
    VERSIONS = ALL_VERSIONS


@register
@attrs.frozen(slots=True)
class DownlinkPassThrough(_PassThrough):
    """0x8900: data from the platform passed through to the terminal."""

    MSG_ID: ClassVar[int] = 0x8900
    VERSIONS = ALL_VERSIONS


@register
@attrs.frozen(slots=True)
class CompressedDataUpload(Message):
    """0x0901: length DWORD | GZIP data. ``data`` holds the compressed bytes exactly as
    sent; :meth:`decompressed` inflates them (bounded), :meth:`compress` builds one."""

    MSG_ID: ClassVar[int] = 0x0901
    VERSIONS = ALL_VERSIONS
    data: bytes

    def encode_into(self, buf: Buffer, version: Version) -> None:
        if not isinstance(self.data, (bytes, bytearray, memoryview)):
            raise LocalProtocolError(f"data must be bytes, got {type(self.data).__name__}",
                                     msg_id=buf.msg_id, field="data")
        buf.push_u32(len(self.data), "length")
        buf.push_bytes(bytes(self.data))

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "CompressedDataUpload":
        length = buf.pull_u32("length")
        return cls(buf.pull_bytes(length, "data"))

    @classmethod
    def compress(cls, data: bytes, level: int = 9) -> "CompressedDataUpload":
        """The message carrying ``data`` GZIP-compressed (no file name, mtime 0)."""
        return cls(gzip.compress(bytes(data), level, mtime=0))

    def decompressed(self, limit: int = DECOMPRESS_LIMIT) -> bytes:
        """The inflated data (GZIP, or a zlib stream; several GZIP members are joined).

        Raises ``RemoteProtocolError`` if the data is not a complete stream, or would
        inflate past ``limit`` bytes: no more than ``limit + 1`` bytes are ever made.
        """
        out = bytearray()
        rest = bytes(self.data)
        try:
            while True:
                inflater = zlib.decompressobj(47)  # 32 + 15: GZIP or zlib header
                out += inflater.decompress(rest, limit + 1 - len(out))
                if len(out) > limit:
                    raise self._error(f"inflates past the limit of {limit} bytes")
                if not inflater.eof:
                    raise self._error("compressed stream is incomplete")
                rest = inflater.unused_data
                if not rest.strip(b"\x00"):  # trailing zero padding is tolerated
                    return bytes(out)
        except zlib.error as exc:
            raise self._error(f"not GZIP/zlib data: {exc}") from None

    def _error(self, what: str) -> RemoteProtocolError:
        return RemoteProtocolError(what, msg_id=self.MSG_ID, field="data")
