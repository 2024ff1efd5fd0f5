"""Frames in, media packets out (sans-IO): split marks, M bit, sequence, intervals.

One :class:`Packer` per media link: the sequence counts every packet sent on the link
and wraps at 0xFFFF. Time comes in as each frame's own timestamp (ms).
"""
from __future__ import annotations

import attrs

from ..errors import LocalProtocolError
from ._packet import MAX_BODY, DataType, MediaPacket, PayloadType, SplitMark

__all__ = ["Packer"]

_MAX_INTERVAL = 0xFFFF


class Packer:
    """Split frames into packets with bodies of at most ``max_body`` (<= 950) bytes.

    ``sim`` is the terminal's phone number as digits; it is left-padded with zeros to
    12 digits (``sim_width=6``, 2011/2013 headers) or 20 (``sim_width=10``, 2019).
    """

    def __init__(self, sim: str, *, sim_width: int = 6, max_body: int = MAX_BODY,
                 video_type: int = PayloadType.H264, audio_type: int = PayloadType.G711A,
                 first_sequence: int = 0) -> None:
        if not 1 <= max_body <= MAX_BODY:
            raise LocalProtocolError(f"max_body {max_body} outside 1..{MAX_BODY}",
                                     field="max_body")
        if sim_width not in (6, 10) or not sim.isdigit() or len(sim) > sim_width * 2:
            raise LocalProtocolError(f"SIM {sim!r} does not fit BCD[{sim_width}]", field="sim")
        self.sim = sim.rjust(sim_width * 2, "0")
        self.max_body = max_body
        self.video_type = int(video_type)
        self.audio_type = int(audio_type)
        self.sequence = first_sequence & 0xFFFF
        self._last_i: dict[int, int] = {}       # channel -> timestamp of the last I-frame
        self._last_video: dict[int, int] = {}   # channel -> timestamp of the last video frame
        self.packets = 0
        self.frames = 0

    def pack(self, channel: int, data_type: DataType | int, payload: bytes,
             timestamp: int = 0) -> list[bytes]:
        """Packets (wire bytes) carrying one whole frame, in order."""
        return [p.encode() for p in self.packets_for(channel, data_type, payload, timestamp)]

    def packets_for(self, channel: int, data_type: DataType | int, payload: bytes,
                    timestamp: int = 0) -> list[MediaPacket]:
        kind = DataType(data_type)
        template = self._template(channel, kind, timestamp)
        pieces = [payload[i:i + self.max_body]
                  for i in range(0, len(payload), self.max_body)] or [b""]
        out = []
        for index, piece in enumerate(pieces):
            split = _split_mark(index, len(pieces))
            out.append(attrs.evolve(template, sequence=self.sequence, split=split, body=piece,
                                    marker=split in (SplitMark.ATOMIC, SplitMark.LAST)))
            self.sequence = (self.sequence + 1) & 0xFFFF
        self.packets += len(out)
        self.frames += 1
        return out

    def _template(self, channel: int, kind: DataType, timestamp: int) -> MediaPacket:
        last_i = last = None
        if kind.is_video:
            last_i = _interval(timestamp, self._last_i.get(channel, timestamp))
            last = _interval(timestamp, self._last_video.get(channel, timestamp))
            self._last_video[channel] = timestamp
            if kind == DataType.I_FRAME:
                self._last_i[channel] = timestamp
        payload_type = self.audio_type if kind == DataType.AUDIO else self.video_type
        return MediaPacket(sequence=0, sim=self.sim, channel=channel, data_type=kind,
                           split=SplitMark.ATOMIC, payload_type=payload_type, body=b"",
                           timestamp=None if kind == DataType.PASS_THROUGH else timestamp,
                           last_i_interval=last_i, last_interval=last)


def _split_mark(index: int, count: int) -> SplitMark:
    if count == 1:
        return SplitMark.ATOMIC
    if index == 0:
        return SplitMark.FIRST
    return SplitMark.LAST if index == count - 1 else SplitMark.MIDDLE


def _interval(now: int, then: int) -> int:
    return min(max(now - then, 0), _MAX_INTERVAL)
