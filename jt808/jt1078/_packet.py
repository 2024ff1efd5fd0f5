"""One JT/T 1078 media packet (JT/T 1078-2016 table 19): the RTP-like unit on the media link.

::

    0x30316364 DWORD | V(2)=2 P(1) X(1) CC(4) BYTE | M(1) PT(7) BYTE | sequence WORD |
    SIM BCD[6] (BCD[10] beside 808-2019) | logical channel BYTE |
    data type (high nibble) + split mark (low nibble) BYTE |
    timestamp u64 ms            -- absent for pass-through (type 4)
    last I-frame interval WORD  -- video only (types 0-2)
    last frame interval WORD    -- video only (types 0-2)
    body length WORD (<= 950 sent) | body

Header length with BCD[6]: 30 bytes for video, 26 for audio, 18 for pass-through.
This module does no I/O and reads no clock.
"""
from __future__ import annotations

import enum
import struct

import attrs

from ..errors import LocalProtocolError, RemoteProtocolError

__all__ = [
    "MAGIC", "MAX_BODY", "DataType", "SplitMark", "PayloadType", "MediaPacket",
    "MediaPacketError", "SIM_WIDTHS", "header_length", "decode_packet", "parse_header",
    "plausibility",
]

MAGIC = b"\x30\x31\x63\x64"
MAX_BODY = 950
SIM_WIDTHS = (6, 10)   # BCD[6] with 2011/2013 headers, BCD[10] with 2019 headers

# >4s B B H: magic | V P X CC | M PT | sequence
_FIXED = struct.Struct(">4sBBH")
# >BB: logical channel | data type << 4 | split mark
_CHANNEL_TYPE = struct.Struct(">BB")
# >Q: timestamp in ms; >HH: last I-frame interval, last frame interval; >H: body length
_TIMESTAMP = struct.Struct(">Q")
_INTERVALS = struct.Struct(">HH")
_LENGTH = struct.Struct(">H")

_VPXCC = 0x81   # V=2, P=0, X=0, CC=1: what every device and platform we know sends


class MediaPacketError(RemoteProtocolError):
    """A media packet's bytes are unusable (bad type nibble, truncated, …)."""


class DataType(enum.IntEnum):
    I_FRAME = 0
    P_FRAME = 1
    B_FRAME = 2
    AUDIO = 3
    PASS_THROUGH = 4

    @property
    def is_video(self) -> bool:
        return self <= 2


class SplitMark(enum.IntEnum):
    ATOMIC = 0
    FIRST = 1
    LAST = 2
    MIDDLE = 3


class PayloadType(enum.IntEnum):
    """Table 12 payload types (the ones terminals use)."""
    G711A = 6
    G711U = 7
    G726 = 8
    AAC = 19
    H264 = 98
    H265 = 99


def header_length(data_type: int, sim_width: int = 6) -> int:
    """Bytes before the body for a packet of ``data_type`` (30/26/18 with BCD[6])."""
    size = _FIXED.size + sim_width + _CHANNEL_TYPE.size + _LENGTH.size
    if data_type != DataType.PASS_THROUGH:
        size += _TIMESTAMP.size
    if data_type <= DataType.B_FRAME:
        size += _INTERVALS.size
    return size


@attrs.frozen(slots=True)
class MediaPacket:
    """One packet. ``sim`` is the BCD digits as sent (leading zeros kept).

    ``timestamp`` is ``None`` for pass-through; the intervals are ``None`` for
    audio and pass-through.
    """

    sequence: int
    sim: str
    channel: int
    data_type: DataType
    split: SplitMark
    payload_type: int
    body: bytes
    timestamp: int | None = None
    last_i_interval: int | None = None
    last_interval: int | None = None
    marker: bool = False
    vpxcc: int = _VPXCC

    @property
    def ends_frame(self) -> bool:
        return self.split in (SplitMark.ATOMIC, SplitMark.LAST)

    def encode(self) -> bytes:
        """The exact wire bytes (sending is exact: every field checked)."""
        width = len(self.sim) // 2
        if len(self.sim) % 2 or width not in SIM_WIDTHS or not self.sim.isdigit():
            raise LocalProtocolError(f"SIM must be 12 or 20 digits, got {self.sim!r}",
                                     field="sim")
        if len(self.body) > 0xFFFF:
            raise LocalProtocolError(f"body of {len(self.body)} bytes", field="body")
        if not 0 <= self.payload_type <= 0x7F:
            raise LocalProtocolError(f"payload type {self.payload_type}", field="payload_type")
        try:
            parts = [_FIXED.pack(MAGIC, self.vpxcc, (self.marker << 7) | self.payload_type,
                                 self.sequence & 0xFFFF),
                     bytes.fromhex(self.sim),
                     _CHANNEL_TYPE.pack(self.channel, (self.data_type << 4) | self.split)]
            if self.data_type != DataType.PASS_THROUGH:
                parts.append(_TIMESTAMP.pack(self.timestamp or 0))
            if self.data_type.is_video:
                parts.append(_INTERVALS.pack(self.last_i_interval or 0, self.last_interval or 0))
        except struct.error as exc:
            raise LocalProtocolError(f"a field does not fit: {exc}", field="header") from exc
        parts.append(_LENGTH.pack(len(self.body)))
        parts.append(self.body)
        return b"".join(parts)


def parse_header(data: bytes | bytearray | memoryview, pos: int, sim_width: int
                 ) -> tuple[MediaPacket, int, int] | None:
    """Read the header at ``data[pos:]`` (``data[pos:pos+4]`` is the magic).

    Returns ``(packet without body, body start, body end)``, ``None`` if more bytes are
    needed; raises :class:`MediaPacketError` if the header is impossible.
    """
    fixed_end = pos + _FIXED.size + sim_width + _CHANNEL_TYPE.size
    if len(data) < fixed_end:
        return None
    _magic, vpxcc, m_pt, sequence = _FIXED.unpack_from(data, pos)
    at = pos + _FIXED.size
    sim = bytes(data[at:at + sim_width]).hex()
    channel, type_split = _CHANNEL_TYPE.unpack_from(data, at + sim_width)
    kind, split = type_split >> 4, type_split & 0x0F
    if kind > DataType.PASS_THROUGH or split > SplitMark.MIDDLE:
        raise MediaPacketError(f"data type {kind} / split mark {split} unknown",
                               field="data_type", offset=at + sim_width + 1)
    head_end = pos + header_length(kind, sim_width)
    if len(data) < head_end:
        return None
    at = fixed_end
    timestamp = last_i = last = None
    if kind != DataType.PASS_THROUGH:
        (timestamp,) = _TIMESTAMP.unpack_from(data, at)
        at += _TIMESTAMP.size
    if kind <= DataType.B_FRAME:
        last_i, last = _INTERVALS.unpack_from(data, at)
        at += _INTERVALS.size
    (length,) = _LENGTH.unpack_from(data, at)
    packet = MediaPacket(sequence=sequence, sim=sim, channel=channel,
                         data_type=DataType(kind), split=SplitMark(split),
                         payload_type=m_pt & 0x7F, body=b"", timestamp=timestamp,
                         last_i_interval=last_i, last_interval=last,
                         marker=bool(m_pt & 0x80), vpxcc=vpxcc)
    return packet, head_end, head_end + length


def decode_packet(data: bytes, sim_width: int | None = None) -> MediaPacket:
    """Decode exactly one whole packet (one UDP datagram, say).

    ``sim_width=None`` picks the SIM width (6 or 10) for which the body length field fits
    the bytes exactly; the body is cut at its declared length otherwise.
    """
    if data[:4] != MAGIC:
        raise MediaPacketError("no 0x30316364 magic", field="magic", offset=0)
    widths = SIM_WIDTHS if sim_width is None else (sim_width,)
    exact: list[tuple[MediaPacket, int, int]] = []
    longer: list[tuple[MediaPacket, int, int]] = []
    for width in widths:
        try:
            parsed = parse_header(data, 0, width)
        except MediaPacketError:
            continue
        if parsed is not None and parsed[2] <= len(data):
            (exact if parsed[2] == len(data) else longer).append(parsed)
    if not exact and not longer:
        raise MediaPacketError(f"no header fits the {len(data)} bytes", field="body_length")
    packet, start, end = max(exact or longer, key=lambda parsed: plausibility(parsed[0]))
    return attrs.evolve(packet, body=bytes(data[start:end]))


def plausibility(packet: MediaPacket) -> int:
    """Tie-break between SIM widths that both fit: a real channel (>= 1), BCD digits."""
    return (packet.channel != 0) + packet.sim.isdigit()
