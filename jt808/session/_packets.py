"""Subpackets: splitting outgoing bodies, keeping sent packets for resends, reassembly.

Every subpacket carries its own serial number; the serials of one message are usually
consecutive, but another message may be sent between two packets (packets 10, 11, 13).
Peers name packets to send again in 0x8003 / 0x0005 either by index (from 1) or by
serial, and in 0x8800 by index: :meth:`SentStore.resend` serves every packet that
either reading names. Everything a peer controls is bounded: packets and bytes per
message, messages being reassembled at once and their age, the bytes kept for resends,
and how often one packet is sent again.
"""
from __future__ import annotations

import collections

import attrs

__all__ = ["split_body", "SentMessage", "SentStore", "Reassembler", "ReassemblyLimits",
           "Partial"]


def split_body(body: bytes, size: int) -> list[bytes]:
    """``body`` in pieces of at most ``size`` bytes (an empty body is one empty piece)."""
    if len(body) <= size:
        return [body]
    return [body[i:i + size] for i in range(0, len(body), size)]


@attrs.define(slots=True)
class SentMessage:
    """One split message as sent: its packets' serials and wire bytes, by index - 1.

    ``resent`` counts, per index, the resends in the current window (from
    ``window_start``).
    """

    msg_id: int
    serials: list[int]
    frames: list[bytes]
    sent_at: float
    media_id: int | None = None
    resent: dict[int, int] = attrs.field(factory=dict)
    window_start: float = 0.0

    @property
    def first_serial(self) -> int:
        return self.serials[0]

    @property
    def size(self) -> int:
        return sum(len(frame) for frame in self.frames)

    def named_indexes(self, ids: tuple[int, ...]) -> list[int]:
        """Indexes (from 1) that ``ids`` name read as indexes or as serials; ``()`` is all."""
        total = len(self.frames)
        if not ids:
            return list(range(1, total + 1))
        wanted = {i for i in ids if 1 <= i <= total}
        position = {serial: index for index, serial in enumerate(self.serials, 1)}
        wanted.update(position[i] for i in ids if i in position)
        return sorted(wanted)


class SentStore:
    """Split messages kept for resends.

    At most ``max_messages`` messages and ``max_bytes`` bytes of frames (oldest dropped
    first; a message larger than ``max_bytes`` is not kept), each for ``max_age`` s.
    One packet is sent again at most ``max_resends`` times per ``resend_window`` s, so
    a peer's small requests cannot make us send much more than we sent (issue 18).
    """

    def __init__(self, max_messages: int = 16, max_age: float = 600.0, *,
                 max_bytes: int = 2 * 1024 * 1024, max_resends: int = 3,
                 resend_window: float = 60.0) -> None:
        self.max_messages = max_messages
        self.max_age = max_age
        self.max_bytes = max_bytes
        self.max_resends = max_resends
        self.resend_window = resend_window
        self.bytes = 0
        self._messages: collections.OrderedDict[int, SentMessage] = collections.OrderedDict()

    def __len__(self) -> int:
        return len(self._messages)

    def add(self, sent: SentMessage) -> bool:
        """Keep ``sent``; False when it alone is larger than ``max_bytes``."""
        size = sent.size
        if size > self.max_bytes:
            return False
        old = self._messages.pop(sent.first_serial, None)
        if old is not None:
            self.bytes -= old.size
        self._messages[sent.first_serial] = sent
        self.bytes += size
        while len(self._messages) > self.max_messages or self.bytes > self.max_bytes:
            self._drop_oldest()
        return True

    def _drop_oldest(self) -> None:
        _, oldest = self._messages.popitem(last=False)
        self.bytes -= oldest.size

    def expire(self, now: float) -> None:
        while self._messages:
            first = next(iter(self._messages.values()))
            if now - first.sent_at <= self.max_age:
                break
            self._drop_oldest()

    def find(self, serial: int) -> SentMessage | None:
        """The message whose first packet (or, failing that, any packet) has ``serial``."""
        sent = self._messages.get(serial)
        if sent is not None:
            return sent
        for sent in self._messages.values():      # a peer may name any packet's serial
            if serial in sent.serials:
                return sent
        return None

    def resend(self, first_serial: int, ids: tuple[int, ...], now: float
               ) -> tuple[list[bytes], list[int]]:
        """Frames and indexes to send again for a 0x8003 / 0x0005 request.

        ``ids`` are read both as indexes (1..total) and as serials of the message that
        ``first_serial`` names; ``()`` asks for the whole message. Packets already sent
        again ``max_resends`` times in this window are left out.
        """
        sent = self.find(first_serial)
        if sent is None:
            return [], []
        return self._take(sent, sent.named_indexes(tuple(ids)), now)

    def by_media_id(self, media_id: int, indexes: tuple[int, ...], now: float = 0.0
                    ) -> list[bytes]:
        """Frames of the media upload ``media_id`` at the listed indexes (from 1)."""
        for sent in reversed(self._messages.values()):
            if sent.media_id == media_id:
                wanted = sorted({i for i in indexes if 1 <= i <= len(sent.frames)})
                return self._take(sent, wanted, now)[0]
        return []

    def _take(self, sent: SentMessage, indexes: list[int], now: float
              ) -> tuple[list[bytes], list[int]]:
        if now - sent.window_start >= self.resend_window:
            sent.window_start = now
            sent.resent.clear()
        allowed = [i for i in indexes if sent.resent.get(i, 0) < self.max_resends]
        for index in allowed:
            sent.resent[index] = sent.resent.get(index, 0) + 1
        return [sent.frames[i - 1] for i in allowed], allowed


@attrs.frozen(slots=True)
class ReassemblyLimits:
    max_packets: int = 4096            # packets in one message
    max_bytes: int = 4 * 1024 * 1024   # bytes in one message
    max_messages: int = 8              # messages being reassembled at once
    timeout: float = 30.0              # quiet time before asking for missing packets
    max_requests: int = 3              # resend requests before giving up
    serial_slack: int = 64             # other messages' serials allowed between two packets
    max_age: float = 600.0             # from the first packet: duplicates cannot extend it


@attrs.define(slots=True)
class Partial:
    """A message being reassembled.

    ``serials`` maps the indexes that arrived to their serials; ``first_serial`` is the
    serial of packet 1, or the best guess from the lowest packet that arrived.
    """

    msg_id: int
    first_serial: int
    total: int
    encryption: int
    pieces: dict[int, bytes]
    size: int
    last_seen: float
    requests: int = 0
    serials: dict[int, int] = attrs.field(factory=dict)
    created: float = 0.0                # when its first packet arrived
    low: int = 0                        # lowest and highest index that arrived (0: none)
    high: int = 0

    def missing(self) -> tuple[int, ...]:
        return tuple(i for i in range(1, self.total + 1) if i not in self.pieces)

    @property
    def consecutive(self) -> bool:
        """Every packet that arrived fits ``serial == first_serial + index - 1``."""
        return all((serial - index) & 0xFFFF == (self.first_serial - 1) & 0xFFFF
                   for index, serial in self.serials.items())

    def missing_serials(self) -> tuple[int, ...] | None:
        """Serials of the missing packets, or None when the serials that arrived are not
        consecutive (a missing packet's serial is then unknown)."""
        if not self.consecutive:
            return None
        return tuple((self.first_serial + i - 1) & 0xFFFF for i in self.missing())

    def fits(self, index: int, serial: int, slack: int) -> bool:
        """Could packet ``index`` with ``serial`` belong here: its index is missing and
        its serial lies after the packets below it and before those above it, with at
        most ``slack`` other serials in between."""
        if index in self.pieces:
            return False
        if not self.serials:
            return True
        if index > self.high:                    # the usual case: in order, O(1)
            low, high = self.high, None
        elif index < self.low:
            low, high = None, self.low
        else:                                    # filling a gap: nearest on each side
            low = max(i for i in self.serials if i < index)
            high = min(i for i in self.serials if i > index)
        if low is not None:
            gap = (serial - self.serials[low]) & 0xFFFF
            if not index - low <= gap <= index - low + slack:
                return False
        if high is not None:
            gap = (self.serials[high] - serial) & 0xFFFF
            if not high - index <= gap <= high - index + slack:
                return False
        return True

    def add(self, index: int, serial: int, piece: bytes) -> None:
        self.pieces[index] = piece
        self.serials[index] = serial
        self.size += len(piece)
        self.high = max(self.high, index)
        if not self.low or index < self.low:
            self.low = index
            self.first_serial = (serial - index + 1) & 0xFFFF


class Reassembler:
    """Collects subpackets in any order; duplicates ignored; bounded by ``limits``.

    A packet joins the message being reassembled with the same id and packet count
    whose serials it fits (:meth:`Partial.fits`), so serials need not be consecutive;
    after a resend request a packet that fits no serial joins a message still missing
    its index (some peers resend with new serials). ``add`` returns ``(body, None)``
    when a message completes, ``(None, reason)`` when the packet was refused, and
    ``(None, None)`` while waiting for more; ``last`` is the partial the packet joined.
    """

    def __init__(self, limits: ReassemblyLimits | None = None) -> None:
        self.limits = limits or ReassemblyLimits()
        self.partials: collections.OrderedDict[int, Partial] = collections.OrderedDict()
        self.dropped: list[Partial] = []
        self.last: Partial | None = None
        self._next_key = 0

    def _find(self, msg_id: int, serial: int, total: int, index: int,
              encryption: int) -> tuple[int, Partial] | None:
        same = [(key, p) for key, p in reversed(self.partials.items())
                if p.msg_id == msg_id and p.total == total and p.encryption == encryption]
        for key, partial in same:
            if partial.serials.get(index) == serial:
                return key, partial                  # a duplicate
        for key, partial in same:
            if partial.fits(index, serial, self.limits.serial_slack):
                return key, partial
        for key, partial in same:
            if partial.requests and index not in partial.pieces:
                return key, partial
        return None

    def add(self, msg_id: int, serial: int, total: int, index: int, encryption: int,
            piece: bytes, now: float) -> tuple[bytes | None, str | None]:
        limits = self.limits
        self.last = None
        if total > limits.max_packets:
            return None, f"{total} packets exceed the limit of {limits.max_packets}"
        found = self._find(msg_id, serial, total, index, encryption)
        if found is None:
            key, self._next_key = self._next_key, self._next_key + 1
            partial = Partial(msg_id, (serial - index + 1) & 0xFFFF, total, encryption, {}, 0,
                              now, created=now)
            self.partials[key] = partial
            self._evict_oldest()
            if key not in self.partials:
                return None, "too many messages in reassembly"
        else:
            key, partial = found
        self.last = partial
        partial.last_seen = now
        if index in partial.pieces:
            return None, None
        if partial.size + len(piece) > limits.max_bytes:
            del self.partials[key]
            self.dropped.append(partial)
            return None, f"message exceeds {limits.max_bytes} bytes"
        partial.add(index, serial, piece)
        if len(partial.pieces) < total:
            return None, None
        del self.partials[key]
        return b"".join(partial.pieces[i] for i in range(1, total + 1)), None

    def _evict_oldest(self) -> None:
        while len(self.partials) > self.limits.max_messages:
            _, oldest = self.partials.popitem(last=False)
            self.dropped.append(oldest)

    def next_deadline(self) -> float | None:
        if not self.partials:
            return None
        limits = self.limits
        return min(min(p.last_seen + limits.timeout, p.created + limits.max_age)
                   for p in self.partials.values())

    def due(self, now: float) -> tuple[list[Partial], list[Partial]]:
        """Partials to ask missing packets for, and partials given up (removed)."""
        ask, give_up = [], []
        for key, partial in list(self.partials.items()):
            too_old = now >= partial.created + self.limits.max_age
            if now < partial.last_seen + self.limits.timeout and not too_old:
                continue
            if too_old or partial.requests >= self.limits.max_requests:
                del self.partials[key]
                give_up.append(partial)
            else:
                partial.requests += 1
                partial.last_seen = now
                ask.append(partial)
        return ask, give_up

    def take_dropped(self) -> list[Partial]:
        dropped, self.dropped = self.dropped, []
        return dropped
