"""JT/T 1078-2016 signalling bodies on the 808 link, registered with ``jt808.codec.register``.

Layouts (JT/T 1078-2016 tables; byte-exact against the SmallChi JT1078 vectors):
0x9003 empty · 0x1003 audio/video attributes · 0x9101 live request · 0x9102 live control ·
0x9105 live status · 0x9205 resource query → 0x1205 resource list · 0x9201 playback ·
0x9202 playback control · 0x9206 FTP upload → 0x1206 upload done · 0x9207 upload control ·
0x9301-0x9306 PTZ · 0x1005 passenger flow.
"""
from __future__ import annotations

import datetime as dt
from typing import ClassVar, Iterable

import attrs

from ..codec import Message, register
from ..errors import TruncatedError
from ..frame import Buffer, Version
from ._fields import pull_time, push_time

__all__ = [
    "AVAttributesQuery", "AVAttributes", "LiveVideoRequest", "LiveVideoControl",
    "LiveVideoStatus", "ResourceListQuery", "ResourceItem", "ResourceList", "PlaybackRequest",
    "PlaybackControl", "FileUploadRequest", "FileUploadDone", "FileUploadControl",
    "PtzRotate", "PtzFocus", "PtzIris", "PtzWiper", "PtzInfrared", "PtzZoom",
    "PassengerFlow", "MESSAGE_CLASSES",
]

Time = dt.datetime | None


@attrs.frozen(slots=True)
class AVAttributesQuery(Message):
    """0x9003: query the terminal's audio/video attributes (empty body)."""
    MSG_ID: ClassVar[int] = 0x9003

    def encode_into(self, buf: Buffer, version: Version) -> None:
        pass

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "AVAttributesQuery":
        return cls()


@attrs.frozen(slots=True)
class AVAttributes(Message):
    """0x1003: audio encoding, channels, rate (0 8k, 1 22.05k, 2 44.1k, 3 48k), bits
    (0 8, 1 16, 2 32), frame length WORD, audio output, video encoding, max physical
    audio channels, max physical video channels."""
    MSG_ID: ClassVar[int] = 0x1003
    audio_encoding: int
    audio_channels: int
    audio_sample_rate: int
    audio_sample_bits: int
    audio_frame_length: int
    audio_output: int
    video_encoding: int
    max_audio_channels: int
    max_video_channels: int

    def encode_into(self, buf: Buffer, version: Version) -> None:
        for name in ("audio_encoding", "audio_channels", "audio_sample_rate",
                     "audio_sample_bits"):
            buf.push_u8(getattr(self, name), name)
        buf.push_u16(self.audio_frame_length, "audio_frame_length")
        for name in ("audio_output", "video_encoding", "max_audio_channels",
                     "max_video_channels"):
            buf.push_u8(getattr(self, name), name)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "AVAttributes":
        head = [buf.pull_u8(n) for n in ("audio_encoding", "audio_channels",
                                         "audio_sample_rate", "audio_sample_bits")]
        length = buf.pull_u16("audio_frame_length")
        tail = [buf.pull_u8(n) for n in ("audio_output", "video_encoding",
                                         "max_audio_channels", "max_video_channels")]
        args = (*head, length, *tail)
        return cls(*args)


def _push_server(buf: Buffer, ip: str, tcp_port: int, udp_port: int) -> None:
    buf.push_gbk_u8len(ip, "server_ip")
    buf.push_u16(tcp_port, "tcp_port")
    buf.push_u16(udp_port, "udp_port")


def _pull_server(buf: Buffer) -> tuple[str, int, int]:
    return buf.pull_gbk_u8len("server_ip"), buf.pull_u16("tcp_port"), buf.pull_u16("udp_port")


@attrs.frozen(slots=True)
class LiveVideoRequest(Message):
    """0x9101: open the media link to ``server_ip`` (TCP port, UDP port; 0 = not used)
    and stream ``channel``. data type 0 audio+video, 1 video, 2 talk, 3 listen,
    4 broadcast, 5 pass-through; stream type 0 main, 1 sub."""
    MSG_ID: ClassVar[int] = 0x9101
    server_ip: str
    tcp_port: int
    udp_port: int
    channel: int
    data_type: int = 0
    stream_type: int = 0

    def encode_into(self, buf: Buffer, version: Version) -> None:
        _push_server(buf, self.server_ip, self.tcp_port, self.udp_port)
        buf.push_u8(self.channel, "channel")
        buf.push_u8(self.data_type, "data_type")
        buf.push_u8(self.stream_type, "stream_type")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "LiveVideoRequest":
        return cls(*_pull_server(buf), buf.pull_u8("channel"), buf.pull_u8("data_type"),
                   buf.pull_u8("stream_type"))


@attrs.frozen(slots=True)
class LiveVideoControl(Message):
    """0x9102: command 0 close, 1 switch stream, 2 pause, 3 resume, 4 close talk;
    close type 0 audio+video, 1 audio, 2 video; switch to stream type 0 main, 1 sub."""
    MSG_ID: ClassVar[int] = 0x9102
    channel: int
    command: int
    close_type: int = 0
    stream_type: int = 0

    def encode_into(self, buf: Buffer, version: Version) -> None:
        for name in ("channel", "command", "close_type", "stream_type"):
            buf.push_u8(getattr(self, name), name)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "LiveVideoControl":
        return cls(*(buf.pull_u8(n) for n in ("channel", "command", "close_type",
                                               "stream_type")))


@attrs.frozen(slots=True)
class LiveVideoStatus(Message):
    """0x9105: the platform's packet loss rate (%) for ``channel``."""
    MSG_ID: ClassVar[int] = 0x9105
    channel: int
    loss_rate: int

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.channel, "channel")
        buf.push_u8(self.loss_rate, "loss_rate")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "LiveVideoStatus":
        return cls(buf.pull_u8("channel"), buf.pull_u8("loss_rate"))


def _push_types(buf: Buffer, msg) -> None:
    buf.push_u8(msg.av_type, "av_type")
    buf.push_u8(msg.stream_type, "stream_type")
    buf.push_u8(msg.storage_type, "storage_type")


def _pull_types(buf: Buffer) -> tuple[int, int, int]:
    return buf.pull_u8("av_type"), buf.pull_u8("stream_type"), buf.pull_u8("storage_type")


@attrs.frozen(slots=True)
class ResourceListQuery(Message):
    """0x9205: channel (0 all), start/end (``None`` = no condition), alarm flags (64 bits,
    0 = any), av type (0 audio+video, 1 audio, 2 video, 3 video or audio+video), stream
    type (0 all, 1 main, 2 sub), storage type (0 all, 1 main, 2 disaster backup)."""
    MSG_ID: ClassVar[int] = 0x9205
    channel: int
    start: Time
    end: Time
    alarm: int = 0
    av_type: int = 0
    stream_type: int = 0
    storage_type: int = 0

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.channel, "channel")
        push_time(buf, self.start, "start")
        push_time(buf, self.end, "end")
        buf.push_u64(self.alarm, "alarm")
        _push_types(buf, self)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "ResourceListQuery":
        return cls(buf.pull_u8("channel"), pull_time(buf, "start"), pull_time(buf, "end"),
                   buf.pull_u64("alarm"), *_pull_types(buf))


@attrs.frozen(slots=True)
class ResourceItem:
    """One recording in 0x1205 (28 bytes)."""
    channel: int
    start: Time
    end: Time
    alarm: int
    av_type: int
    stream_type: int
    storage_type: int
    file_size: int

    SIZE: ClassVar[int] = 28


def _resource_items(items: Iterable[ResourceItem]) -> tuple[ResourceItem, ...]:
    return tuple(items)


@attrs.frozen(slots=True)
class ResourceList(Message):
    """0x1205: reply serial (of the 0x9205), then the matching recordings."""
    MSG_ID: ClassVar[int] = 0x1205
    reply_serial: int
    items: tuple[ResourceItem, ...] = attrs.field(default=(), converter=_resource_items)

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u16(self.reply_serial, "reply_serial")
        buf.push_u32(len(self.items), "count")
        for item in self.items:
            buf.push_u8(item.channel, "channel")
            push_time(buf, item.start, "start")
            push_time(buf, item.end, "end")
            buf.push_u64(item.alarm, "alarm")
            _push_types(buf, item)
            buf.push_u32(item.file_size, "file_size")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "ResourceList":
        serial = buf.pull_u16("reply_serial")
        count = buf.pull_u32("count")
        if count * ResourceItem.SIZE > buf.remaining:   # a peer's count buys no memory
            raise TruncatedError(f"count {count} needs {count * ResourceItem.SIZE} bytes, "
                                 f"{buf.remaining} left", msg_id=buf.msg_id, field="count",
                                 offset=buf.pos - 4)
        items = [ResourceItem(buf.pull_u8("channel"), pull_time(buf, "start"),
                              pull_time(buf, "end"), buf.pull_u64("alarm"),
                              *_pull_types(buf), buf.pull_u32("file_size"))
                 for _ in range(count)]
        return cls(serial, tuple(items))


@attrs.frozen(slots=True)
class PlaybackRequest(Message):
    """0x9201: play recordings back over a media link. Mode 0 normal, 1 fast forward,
    2 key frames back, 3 key frames, 4 single frame; speed 0-5 (x1, x2, x4, x8, x16)."""
    MSG_ID: ClassVar[int] = 0x9201
    server_ip: str
    tcp_port: int
    udp_port: int
    channel: int
    av_type: int
    stream_type: int
    storage_type: int
    mode: int
    speed: int
    start: Time
    end: Time

    def encode_into(self, buf: Buffer, version: Version) -> None:
        _push_server(buf, self.server_ip, self.tcp_port, self.udp_port)
        buf.push_u8(self.channel, "channel")
        _push_types(buf, self)
        buf.push_u8(self.mode, "mode")
        buf.push_u8(self.speed, "speed")
        push_time(buf, self.start, "start")
        push_time(buf, self.end, "end")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "PlaybackRequest":
        return cls(*_pull_server(buf), buf.pull_u8("channel"), *_pull_types(buf),
                   buf.pull_u8("mode"), buf.pull_u8("speed"), pull_time(buf, "start"),
                   pull_time(buf, "end"))


@attrs.frozen(slots=True)
class PlaybackControl(Message):
    """0x9202: control 0 start, 1 pause, 2 stop, 3 fast forward, 4 key-frame rewind,
    5 seek (to ``position``), 6 key-frame play."""
    MSG_ID: ClassVar[int] = 0x9202
    channel: int
    control: int
    speed: int = 0
    position: Time = None

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.channel, "channel")
        buf.push_u8(self.control, "control")
        buf.push_u8(self.speed, "speed")
        push_time(buf, self.position, "position")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "PlaybackControl":
        return cls(buf.pull_u8("channel"), buf.pull_u8("control"), buf.pull_u8("speed"),
                   pull_time(buf, "position"))


@attrs.frozen(slots=True)
class FileUploadRequest(Message):
    """0x9206: upload the matching recordings to an FTP server. Conditions: bit 0 WIFI,
    1 LAN, 2 3G/4G."""
    MSG_ID: ClassVar[int] = 0x9206
    server_ip: str
    port: int
    user: str
    password: str
    path: str
    channel: int
    start: Time
    end: Time
    alarm: int = 0
    av_type: int = 0
    stream_type: int = 0
    storage_type: int = 0
    conditions: int = 0

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_gbk_u8len(self.server_ip, "server_ip")
        buf.push_u16(self.port, "port")
        buf.push_gbk_u8len(self.user, "user")
        buf.push_gbk_u8len(self.password, "password")
        buf.push_gbk_u8len(self.path, "path")
        buf.push_u8(self.channel, "channel")
        push_time(buf, self.start, "start")
        push_time(buf, self.end, "end")
        buf.push_u64(self.alarm, "alarm")
        _push_types(buf, self)
        buf.push_u8(self.conditions, "conditions")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "FileUploadRequest":
        server, port = buf.pull_gbk_u8len("server_ip"), buf.pull_u16("port")
        user, password = buf.pull_gbk_u8len("user"), buf.pull_gbk_u8len("password")
        return cls(server, port, user, password, buf.pull_gbk_u8len("path"),
                   buf.pull_u8("channel"), pull_time(buf, "start"), pull_time(buf, "end"),
                   buf.pull_u64("alarm"), *_pull_types(buf), buf.pull_u8("conditions"))


@attrs.frozen(slots=True)
class _SerialAndByte(Message):
    """A body of a 0x9206's serial (WORD) and one BYTE named by the subclass's second field."""

    def encode_into(self, buf: Buffer, version: Version) -> None:
        serial, value = attrs.astuple(self, recurse=False)
        buf.push_u16(serial, "reply_serial")
        buf.push_u8(value, attrs.fields(type(self))[1].name)

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version):
        serial, name = buf.pull_u16("reply_serial"), attrs.fields(cls)[1].name
        return cls(**{"reply_serial": serial, name: buf.pull_u8(name)})


@attrs.frozen(slots=True)
class FileUploadDone(_SerialAndByte):
    """0x1206: the upload asked by the 0x9206 ``reply_serial`` ended; result 0 ok, 1 failed."""
    MSG_ID: ClassVar[int] = 0x1206
    reply_serial: int
    result: int


@attrs.frozen(slots=True)
class FileUploadControl(_SerialAndByte):
    """0x9207: control the upload of the 0x9206 ``reply_serial``: 0 pause, 1 resume, 2 cancel."""
    MSG_ID: ClassVar[int] = 0x9207
    reply_serial: int
    control: int


@attrs.frozen(slots=True)
class PtzRotate(Message):
    """0x9301: direction 0 stop, 1 up, 2 down, 3 left, 4 right; speed 0-255."""
    MSG_ID: ClassVar[int] = 0x9301
    channel: int
    direction: int
    speed: int

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.channel, "channel")
        buf.push_u8(self.direction, "direction")
        buf.push_u8(self.speed, "speed")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "PtzRotate":
        return cls(buf.pull_u8("channel"), buf.pull_u8("direction"), buf.pull_u8("speed"))


@attrs.frozen(slots=True)
class _PtzControl(Message):
    """A PTZ command: channel BYTE, control BYTE."""
    channel: int
    control: int

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.channel, "channel")
        buf.push_u8(self.control, "control")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version):
        return cls(buf.pull_u8("channel"), buf.pull_u8("control"))


@attrs.frozen(slots=True)
class PtzFocus(_PtzControl):
    """0x9302: 0 focus near, 1 focus far."""
    MSG_ID: ClassVar[int] = 0x9302


@attrs.frozen(slots=True)
class PtzIris(_PtzControl):
    """0x9303: 0 iris up, 1 iris down."""
    MSG_ID: ClassVar[int] = 0x9303


@attrs.frozen(slots=True)
class PtzWiper(_PtzControl):
    """0x9304: 0 stop, 1 start."""
    MSG_ID: ClassVar[int] = 0x9304


@attrs.frozen(slots=True)
class PtzInfrared(_PtzControl):
    """0x9305: 0 stop, 1 start."""
    MSG_ID: ClassVar[int] = 0x9305


@attrs.frozen(slots=True)
class PtzZoom(_PtzControl):
    """0x9306: 0 zoom in, 1 zoom out."""
    MSG_ID: ClassVar[int] = 0x9306


@attrs.frozen(slots=True)
class PassengerFlow(Message):
    """0x1005: passengers boarding and alighting between ``start`` and ``end``."""
    MSG_ID: ClassVar[int] = 0x1005
    start: Time
    end: Time
    boarding: int
    alighting: int

    def encode_into(self, buf: Buffer, version: Version) -> None:
        push_time(buf, self.start, "start")
        push_time(buf, self.end, "end")
        buf.push_u16(self.boarding, "boarding")
        buf.push_u16(self.alighting, "alighting")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "PassengerFlow":
        return cls(pull_time(buf, "start"), pull_time(buf, "end"), buf.pull_u16("boarding"),
                   buf.pull_u16("alighting"))


MESSAGE_CLASSES = (AVAttributesQuery, AVAttributes, LiveVideoRequest, LiveVideoControl,
                   LiveVideoStatus, ResourceListQuery, ResourceList, PlaybackRequest,
                   PlaybackControl, FileUploadRequest, FileUploadDone, FileUploadControl,
                   PtzRotate, PtzFocus, PtzIris, PtzWiper, PtzInfrared, PtzZoom, PassengerFlow)
for _cls in MESSAGE_CLASSES:
    register(_cls)
del _cls
