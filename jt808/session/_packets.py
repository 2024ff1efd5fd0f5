"""Subpackets: splitting outgoing bodies, keeping sent packets for resends, reassembly.

Every subpacket carries its own serial number. Peers name packets to send again by
serial (0x8003 from a platform, 0x0005 from a 2019 terminal) or by index from 1
(0x8800 for a media upload). Everything a peer controls is bounded: packets per
message, bytes per message, messages being reassembled at once, and their age.
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
    """One split message as sent: its packets' serials and wire bytes, by index - 1."""

    msg_id: int
    serials: list[int]
    frames: list[bytes]
    sent_at: float
    media_id: int | None = None

    @property
    def first_serial(self) -> int:
        return self.serials[0]


class SentStore:
    """Split messages kept for resends: at most ``max_messages``, each for ``max_age`` s."""

    def __init__(self, max_messages: int = 16, max_age: float = 600.0) -> None:
        self.max_messages = max_messages
        self.max_age = max_age
        self._messages: collections.OrderedDict[int, SentMessage] = collections.OrderedDict()

    def __len__(self) -> int:
        return len(self._messages)

    def add(self, sent: SentMessage) -> None:
        self._messages[sent.first_serial] = sent
        while len(self._messages) > self.max_messages:
            self._messages.popitem(last=False)

    def expire(self, now: float) -> None:
        while self._messages:
            first = next(iter(self._messages.values()))
            if now - first.sent_at <= self.max_age:
                break
            self._messages.popitem(last=False)

    def by_serials(self, first_serial: int, serials: tuple[int, ...]) -> list[bytes]:
        """Frames of the message starting at ``first_serial`` whose serials are listed.

        An empty ``serials`` asks for the whole message. Unknown serials are skipped.
        """
        sent = self._find_serial(first_serial)
        if sent is None:
            return []
        if not serials:
            return list(sent.frames)
        wanted = set(serials)
        return [frame for serial, frame in zip(sent.serials, sent.frames) if serial in wanted]

    def by_media_id(self, media_id: int, indexes: tuple[int, ...]) -> list[bytes]:
        """Frames of the media upload ``media_id`` at the listed indexes (from 1)."""
        for sent in reversed(self._messages.values()):
            if sent.media_id == media_id:
                return [sent.frames[i - 1] for i in indexes if 1 <= i <= len(sent.frames)]
        return []

    def _find_serial(self, serial: int) -> SentMessage | None:
        sent = self._messages.get(serial)
        if sent is not None:
            return sent
        for sent in self._messages.values():      # a peer may name any packet's serial
            if serial in sent.serials:
                return sent
        return None


@attrs.frozen(slots=True)
class ReassemblyLimits:
    max_packets: int = 4096            # packets in one message
    max_bytes: int = 4 * 1024 * 1024   # bytes in one message
    max_messages: int = 8              # messages being reassembled at once
    timeout: float = 30.0              # quiet time before asking for missing packets
    max_requests: int = 3              # resend requests before giving up


@attrs.define(slots=True)
class Partial:
    """A message being reassembled."""

    msg_id: int
    first_serial: int
    total: int
    encryption: int
    pieces: dict[int, bytes]
    size: int
    last_seen: float
    requests: int = 0

    def missing(self) -> tuple[int, ...]:
        return tuple(i for i in range(1, self.total + 1) if i not in self.pieces)

    def missing_serials(self) -> tuple[int, ...]:
        return tuple((self.first_serial + i - 1) & 0xFFFF for i in self.missing())


class Reassembler:
    """Collects subpackets in any order; duplicates ignored; bounded by ``limits``.

    ``add`` returns ``(body, None)`` when a message completes, ``(None, reason)`` when the
    packet was refused, and ``(None, None)`` while waiting for more.
    """

    def __init__(self, limits: ReassemblyLimits | None = None) -> None:
        self.limits = limits or ReassemblyLimits()
        self.partials: collections.OrderedDict[tuple[int, int, int], Partial] = \
            collections.OrderedDict()
        self.dropped: list[Partial] = []

    def add(self, msg_id: int, serial: int, total: int, index: int, encryption: int,
            piece: bytes, now: float) -> tuple[bytes | None, str | None]:
        limits = self.limits
        if total > limits.max_packets:
            return None, f"{total} packets exceed the limit of {limits.max_packets}"
        first = (serial - index + 1) & 0xFFFF
        key = (msg_id, first, total)
        partial = self.partials.get(key)
        if partial is None:
            partial = Partial(msg_id, first, total, encryption, {}, 0, now)
            self.partials[key] = partial
            self._evict_oldest()
        partial.last_seen = now
        if index in partial.pieces:
            return None, None
        if partial.size + len(piece) > limits.max_bytes:
            del self.partials[key]
            self.dropped.append(partial)
            return None, f"message exceeds {limits.max_bytes} bytes"
        partial.pieces[index] = piece
        partial.size += len(piece)
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
        return min(p.last_seen for p in self.partials.values()) + self.limits.timeout

    def due(self, now: float) -> tuple[list[Partial], list[Partial]]:
        """Partials to ask missing packets for, and partials given up (removed)."""
        ask, give_up = [], []
        for key, partial in list(self.partials.items()):
            if now < partial.last_seen + self.limits.timeout:
                continue
            if partial.requests >= self.limits.max_requests:
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
