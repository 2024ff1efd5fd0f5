"""JT/T 1078-2016 terminal parameters 0x0075-0x007C (table 2-7), registered with
``register_param``; layouts checked against the SmallChi 0x8103 JT1078 record."""
from __future__ import annotations

import struct
from typing import ClassVar, Iterable

import attrs

from ..codec import register_param
from ..errors import LocalProtocolError, RemoteProtocolError
from ..frame import Buffer, Version

__all__ = ["EncoderSettings", "AVParams", "ChannelEntry", "AVChannels", "ChannelAVParams",
           "ChannelAVSettings", "AlarmRecording", "ImageAnalysis", "SleepWake",
           "PARAM_CLASSES_1078", "VIDEO_ALARM_SHIELD"]

VIDEO_ALARM_SHIELD = 0x007A   # a plain DWORD: registered as a scalar

# >BBHBI: encoding mode, resolution, key-frame interval WORD, target fps, bitrate DWORD (kbps)
_ENCODER = struct.Struct(">BBHBI")


@attrs.frozen(slots=True)
class EncoderSettings:
    mode: int
    resolution: int
    keyframe_interval: int
    fps: int
    bitrate: int

    def pack(self) -> bytes:
        return _ENCODER.pack(self.mode, self.resolution, self.keyframe_interval, self.fps,
                             self.bitrate)

    @classmethod
    def pull(cls, buf: Buffer) -> "EncoderSettings":
        return cls(*_ENCODER.unpack(buf.pull_bytes(_ENCODER.size, "encoder")))


def _exact(cls, data: bytes, pull):
    """Run ``pull(buf)`` over the whole value; extra bytes mean the layout is not ours."""
    buf = Buffer(data)
    value = pull(buf)
    if not buf.eof():
        raise RemoteProtocolError(f"{buf.remaining} bytes after {cls.__name__}",
                                  field=cls.__name__, offset=buf.pos)
    return value


@attrs.frozen(slots=True)
class AVParams:
    """0x0075: live stream and stored stream encoders, OSD bits WORD, audio output BYTE."""
    PARAM_ID: ClassVar[int] = 0x0075
    live: EncoderSettings
    stored: EncoderSettings
    osd: int
    audio_output: int

    def encode_value(self, version: Version) -> bytes:
        return self.live.pack() + self.stored.pack() + struct.pack(">HB", self.osd,
                                                                     self.audio_output)

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "AVParams":
        return _exact(cls, data, lambda b: cls(EncoderSettings.pull(b), EncoderSettings.pull(b),
                                               b.pull_u16("osd"), b.pull_u8("audio_output")))


@attrs.frozen(slots=True)
class ChannelEntry:
    """One row of 0x0076: physical channel, logical channel, type (0 audio+video, 1 audio,
    2 video), connects a PTZ (0/1)."""
    physical: int
    channel: int
    kind: int
    ptz: int


def _entries(entries: Iterable[ChannelEntry]) -> tuple[ChannelEntry, ...]:
    return tuple(entries)


@attrs.frozen(slots=True)
class AVChannels:
    """0x0076: channel counts (audio+video, audio, video) and one entry per channel."""
    PARAM_ID: ClassVar[int] = 0x0076
    av_count: int
    audio_count: int
    video_count: int
    entries: tuple[ChannelEntry, ...] = attrs.field(converter=_entries)

    def encode_value(self, version: Version) -> bytes:
        out = bytes((self.av_count, self.audio_count, self.video_count))
        return out + b"".join(bytes((e.physical, e.channel, e.kind, e.ptz))
                              for e in self.entries)

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "AVChannels":
        def pull(b: Buffer) -> AVChannels:
            counts = [b.pull_u8(n) for n in ("av_count", "audio_count", "video_count")]
            entries = [ChannelEntry(*b.pull_bytes(4, "entry")) for _ in range(sum(counts))]
            av_count, audio_count, video_count = counts
            return cls(av_count, audio_count, video_count, entries)
        return _exact(cls, data, pull)


@attrs.frozen(slots=True)
class ChannelAVSettings:
    """One channel of 0x0077: logical channel, live and stored encoders, OSD bits."""
    channel: int
    live: EncoderSettings
    stored: EncoderSettings
    osd: int


def _channels(channels: Iterable[ChannelAVSettings]) -> tuple[ChannelAVSettings, ...]:
    return tuple(channels)


@attrs.frozen(slots=True)
class ChannelAVParams:
    """0x0077: per-channel encoder settings (count BYTE, then 21 bytes per channel)."""
    PARAM_ID: ClassVar[int] = 0x0077
    channels: tuple[ChannelAVSettings, ...] = attrs.field(converter=_channels)

    def encode_value(self, version: Version) -> bytes:
        out = bytearray((len(self.channels),))
        for c in self.channels:
            out += bytes((c.channel,)) + c.live.pack() + c.stored.pack()
            out += struct.pack(">H", c.osd)
        return bytes(out)

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "ChannelAVParams":
        def pull(b: Buffer) -> ChannelAVParams:
            count = b.pull_u8("count")
            return cls([ChannelAVSettings(b.pull_u8("channel"), EncoderSettings.pull(b),
                                          EncoderSettings.pull(b), b.pull_u16("osd"))
                        for _ in range(count)])
        return _exact(cls, data, pull)


@attrs.frozen(slots=True)
class AlarmRecording:
    """0x0079: storage threshold (%), recording duration (min), start before the alarm (min)."""
    PARAM_ID: ClassVar[int] = 0x0079
    threshold: int
    duration: int
    lead_minutes: int

    def encode_value(self, version: Version) -> bytes:
        return bytes((self.threshold, self.duration, self.lead_minutes))

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "AlarmRecording | None":
        return cls(*data) if len(data) == 3 else None


@attrs.frozen(slots=True)
class ImageAnalysis:
    """0x007B: rated passenger count, fatigue threshold."""
    PARAM_ID: ClassVar[int] = 0x007B
    passengers: int
    fatigue_threshold: int

    def encode_value(self, version: Version) -> bytes:
        return bytes((self.passengers, self.fatigue_threshold))

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "ImageAnalysis | None":
        return cls(*data) if len(data) == 2 else None


def _periods(periods: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(periods)


@attrs.frozen(slots=True)
class SleepWake:
    """0x007C: wake modes (bits), wake conditions (bits), timer days (bits 0-6 Mon-Sun),
    timer period enable bits, and four (wake, sleep) ``HHMM`` periods (BCD[2] each)."""
    PARAM_ID: ClassVar[int] = 0x007C
    mode: int
    conditions: int
    days: int
    periods_enabled: int
    periods: tuple[tuple[str, str], ...] = attrs.field(converter=_periods)

    def encode_value(self, version: Version) -> bytes:
        buf = Buffer()
        for name in ("mode", "conditions", "days", "periods_enabled"):
            buf.push_u8(getattr(self, name), name)
        if len(self.periods) != 4:
            raise LocalProtocolError("0x007C needs exactly 4 periods", field="periods")
        for wake, sleep in self.periods:
            buf.push_bcd(wake, 2, "wake")
            buf.push_bcd(sleep, 2, "sleep")
        return buf.getvalue()

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "SleepWake":
        def pull(b: Buffer) -> SleepWake:
            mode, conditions, days, enabled = [
                b.pull_u8(n) for n in ("mode", "conditions", "days", "periods_enabled")]
            return cls(mode, conditions, days, enabled,
                       [(b.pull_bcd(2, "wake"), b.pull_bcd(2, "sleep")) for _ in range(4)])
        return _exact(cls, data, pull)


PARAM_CLASSES_1078 = (AVParams, AVChannels, ChannelAVParams, AlarmRecording, ImageAnalysis,
                      SleepWake)
for _cls in PARAM_CLASSES_1078:
    register_param(_cls)
register_param(VIDEO_ALARM_SHIELD, "DWORD")
del _cls
