"""Bytes or datagrams in, whole frames out (sans-IO), bounded, with loss counted.

Receiving is tolerant: junk before a packet is skipped up to the next 0x30316364 magic;
the SIM width (BCD[6] or BCD[10]) is found from the first packet whose body length lands
on the next magic (or on the end of the data); frame ends come from the split mark, not
the M bit; a body is cut at its declared length. A gap in the packet sequence counts the
missing packets as lost and drops the frames they broke, never a corrupt frame out.
Memory is bounded: one packet of input, ``max_frame`` per frame being assembled,
``max_assembling`` frames at once, ``reorder_window`` held datagrams.
"""
from __future__ import annotations

import attrs

from ._packet import MAGIC, SIM_WIDTHS, DataType, MediaPacket, MediaPacketError, SplitMark
from ._packet import parse_header, plausibility

__all__ = ["Depacker", "MediaFrame", "DepackStats"]

_HALF = 0x8000
_START_HOLD = 8   # datagrams held at the start to find the earliest sequence


@attrs.frozen(slots=True)
class MediaFrame:
    """One whole frame (a video access unit, an audio frame, pass-through data)."""

    channel: int
    data_type: DataType
    payload: bytes
    timestamp: int | None
    sim: str
    payload_type: int
    sequence: int               # of the frame's first packet
    packets: int
    last_i_interval: int | None = None
    last_interval: int | None = None


@attrs.define
class DepackStats:
    packets: int = 0            # packets parsed
    frames: int = 0             # frames delivered
    bytes: int = 0              # body bytes delivered in frames
    junk_bytes: int = 0         # bytes skipped while looking for the magic
    bad_packets: int = 0        # headers that could not be read
    lost_packets: int = 0       # sequence numbers never seen
    late_packets: int = 0       # arrived after their place was given up, or duplicates
    frames_dropped: int = 0     # frames broken by loss, an orphan piece or a size bound

    @property
    def loss_rate(self) -> float:
        total = self.packets + self.lost_packets
        return self.lost_packets / total if total else 0.0


_GAP = object()   # marks a sequence gap in the ordered packet stream


class _Partial:
    __slots__ = ("first", "bodies", "size", "count")

    def __init__(self, first: MediaPacket) -> None:
        self.first = first
        self.bodies: list[bytes] | None = [first.body]   # None: broken, absorbing its rest
        self.size = len(first.body)
        self.count = 1


class Depacker:
    """``feed(bytes)`` for a TCP stream, ``feed_datagram(bytes)`` for UDP.

    ``reorder_window`` (datagrams) holds up to that many packets ahead of a gap so
    reordered packets still make whole frames (and the first few packets, to find where
    the stream starts); 0 takes packets as they come. ``flush()`` at the end of input
    releases what is held.
    """

    def __init__(self, *, sim_width: int | None = None, max_frame: int = 4 << 20,
                 max_assembling: int = 8, reorder_window: int = 0) -> None:
        self.sim_width = sim_width
        self.max_frame = max_frame
        self.max_assembling = max_assembling
        self.reorder_window = reorder_window
        self.stats = DepackStats()
        self._buf = bytearray()
        self._expected: int | None = None
        self._held: dict[int, MediaPacket] = {}
        self._partials: dict[tuple[int, int], _Partial] = {}

    # -- input ------------------------------------------------------------------------
    def feed(self, data: bytes) -> list[MediaFrame]:
        """Stream bytes in any chunking; frames completed so far come out."""
        self._buf += data
        out: list[MediaFrame] = []
        while (packet := self._next_packet(self._buf, final=False)) is not None:
            out += self._accept(packet)
        return out

    def feed_datagram(self, data: bytes) -> list[MediaFrame]:
        """One datagram holding one or more whole packets."""
        buf = bytearray(data)
        out: list[MediaFrame] = []
        while (packet := self._next_packet(buf, final=True)) is not None:
            out += self._accept(packet)
        return out

    def flush(self) -> list[MediaFrame]:
        """At the end of the input: read what the stream buffer still holds (the first
        packet waits for the next magic to confirm the SIM width) and release the
        packets held for reordering."""
        out: list[MediaFrame] = []
        while (packet := self._next_packet(self._buf, final=True)) is not None:
            out += self._accept(packet)
        while self._held:
            self._skip_to_nearest_held()
            for item in self._release_in_order():
                out += self._assemble(item)
        return out

    # -- parsing ----------------------------------------------------------------------
    def _next_packet(self, buf: bytearray, final: bool) -> MediaPacket | None:
        while True:
            start = buf.find(MAGIC)
            if start < 0:
                cut = len(buf) if final else max(len(buf) - 3, 0)
                self._junk(buf, cut)
                return None
            self._junk(buf, start)
            found = self._try_widths(buf, final)
            if found is None:          # more bytes needed
                if final:
                    self._junk(buf, len(buf))
                return None
            if found is False:         # no width fits: skip this magic
                self.stats.bad_packets += 1
                self._junk(buf, 1)
                continue
            packet, end = found
            del buf[:end]
            self.stats.packets += 1
            return packet

    def _try_widths(self, buf: bytearray, final: bool):
        """``(packet, end)``; ``None`` if more bytes are needed; ``False`` if none fits."""
        widths = (self.sim_width,) if self.sim_width else SIM_WIDTHS
        pending = False
        fits = []
        for width in widths:
            try:
                parsed = parse_header(buf, 0, width)
            except MediaPacketError:
                continue
            if parsed is None or parsed[2] > len(buf):
                pending = True
                continue
            end = parsed[2]
            after = bytes(buf[end:end + 4])
            if self.sim_width is None:   # width unknown: the next packet must start here
                if not MAGIC.startswith(after):
                    continue
                if len(after) < 4 and not final:
                    pending = True
                    continue
            fits.append((width, parsed, len(after) == 4))
        if not fits:
            return None if pending else False
        width, (packet, body_start, end), confirmed = max(
            fits, key=lambda fit: plausibility(fit[1][0]))
        if confirmed and len(fits) == 1:
            self.sim_width = width
        return attrs.evolve(packet, body=bytes(buf[body_start:end])), end

    def _junk(self, buf: bytearray, count: int) -> None:
        if count:
            self.stats.junk_bytes += count
            del buf[:count]

    # -- ordering ---------------------------------------------------------------------
    def _accept(self, packet: MediaPacket) -> list[MediaFrame]:
        if self.reorder_window <= 0:
            return self._accept_unordered(packet)
        if self._expected is not None:
            ahead = (packet.sequence - self._expected) & 0xFFFF
            if ahead >= _HALF or packet.sequence in self._held:
                self.stats.late_packets += 1
                return []
        elif packet.sequence in self._held:
            self.stats.late_packets += 1
            return []
        self._held[packet.sequence] = packet
        out: list[MediaFrame] = []
        if self._expected is None and len(self._held) >= min(self.reorder_window, _START_HOLD):
            self._skip_to_nearest_held()     # enough seen to tell where the stream starts
        if self._expected is not None:
            for item in self._release_in_order():
                out += self._assemble(item)
        while len(self._held) > self.reorder_window:
            self._skip_to_nearest_held()
            for item in self._release_in_order():
                out += self._assemble(item)
        return out

    def _accept_unordered(self, packet: MediaPacket) -> list[MediaFrame]:
        out: list[MediaFrame] = []
        if self._expected is None:
            self._expected = packet.sequence
        ahead = (packet.sequence - self._expected) & 0xFFFF
        if ahead:
            if ahead < _HALF:
                self.stats.lost_packets += ahead
            else:
                self.stats.late_packets += 1
            out += self._assemble(_GAP)
        self._expected = (packet.sequence + 1) & 0xFFFF
        return out + self._assemble(packet)

    def _release_in_order(self) -> list:
        items = []
        while self._expected in self._held:
            items.append(self._held.pop(self._expected))
            self._expected = (self._expected + 1) & 0xFFFF
        return items

    def _skip_to_nearest_held(self) -> None:
        if self._expected is None:    # the start: begin at the earliest packet held
            first = next(iter(self._held))
            self._expected = min(self._held, key=lambda seq: (seq - first + 0x4000) & 0xFFFF)
            return
        expected = self._expected
        nearest = min(self._held, key=lambda seq: (seq - expected) & 0xFFFF)
        self.stats.lost_packets += (nearest - expected) & 0xFFFF
        self._expected = nearest
        self._assemble(_GAP)

    # -- assembly ---------------------------------------------------------------------
    def _assemble(self, item) -> list[MediaFrame]:
        if item is _GAP:              # a lost packet may belong to any frame in progress
            for broken in self._partials.values():
                self._discard(broken)
            return []
        packet: MediaPacket = item
        key = (packet.channel, min(packet.data_type, DataType.AUDIO))
        partial = self._partials.pop(key, None)
        if packet.split in (SplitMark.ATOMIC, SplitMark.FIRST):
            if partial is not None:
                self._discard(partial)
            if packet.split == SplitMark.ATOMIC:
                return [self._frame(packet, packet.body, 1)]
            self._start(key, _Partial(packet))
            return []
        if partial is None:           # a middle/last whose first was lost
            partial = _Partial(packet)
            self._discard(partial)
        elif partial.first.data_type != packet.data_type:
            self._discard(partial)
        if partial.bodies is not None:
            partial.bodies.append(packet.body)
            partial.size += len(packet.body)
            partial.count += 1
            if partial.size > self.max_frame:
                self._discard(partial)
        if packet.split != SplitMark.LAST:
            self._partials[key] = partial
            return []
        if partial.bodies is None:
            return []
        return [self._frame(partial.first, b"".join(partial.bodies), partial.count)]

    def _discard(self, partial: _Partial) -> None:
        """Count a broken frame once; its later pieces are absorbed without being kept."""
        if partial.bodies is not None:
            partial.bodies = None
            partial.size = 0
            self.stats.frames_dropped += 1

    def _start(self, key: tuple[int, int], partial: _Partial) -> None:
        if len(self._partials) >= self.max_assembling:
            self._discard(self._partials.pop(next(iter(self._partials))))
        self._partials[key] = partial

    def _frame(self, first: MediaPacket, payload: bytes, count: int) -> MediaFrame:
        self.stats.frames += 1
        self.stats.bytes += len(payload)
        return MediaFrame(channel=first.channel, data_type=first.data_type, payload=payload,
                          timestamp=first.timestamp, sim=first.sim,
                          payload_type=first.payload_type, sequence=first.sequence,
                          packets=count, last_i_interval=first.last_i_interval,
                          last_interval=first.last_interval)
