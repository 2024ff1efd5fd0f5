"""What the platform remembers about each terminal (by phone number)."""
from __future__ import annotations

import collections
from collections.abc import Callable
from typing import List, TypeVar

import attrs

from ..codec import LocationBatchReport, LocationReport, Message
from ..frame import Header, Version

__all__ = ["TerminalRecord", "BoundedList", "PhoneDict", "phone_key", "estimate_size"]

#: Default bounds of what each record keeps (older entries are dropped, and counted).
DEFAULT_MAX_MESSAGES = 1_000
DEFAULT_MAX_POSITIONS = 1_000
#: Default estimated bytes of messages one record keeps (each of its kept lists).
DEFAULT_MAX_BYTES = 4 * 1024 * 1024
#: Estimated bytes of one decoded position (a ``LocationReport`` and its extras).
POSITION_COST = 700
_BASE_COST = 300


def estimate_size(item) -> int:
    """Rough bytes a kept message costs: a base, its bytes and text, its items."""
    if type(item) is tuple and len(item) == 2:               # (header, message)
        item = item[1]
    if isinstance(item, LocationReport):
        return POSITION_COST + 16 * len(getattr(item, "extras", None) or ())
    size = _BASE_COST
    if not attrs.has(type(item)):
        return size
    for field in attrs.fields(type(item)):
        value = getattr(item, field.name, None)
        if isinstance(value, (bytes, bytearray, str)):
            size += len(value)
        elif isinstance(value, (tuple, list, dict)) and value:
            first = next(iter(value))
            size += len(value) * (estimate_size(first) if attrs.has(type(first)) else 64)
    return size


_T = TypeVar("_T")


class BoundedList(List[_T]):
    """A list that keeps only its last ``maxlen`` items (a plain list otherwise) and, with
    ``max_bytes``, only as many of the newest items as fit in that many estimated bytes
    (``size_of``, default ``estimate_size``); ``dropped`` counts what was let go."""

    __slots__ = ("maxlen", "max_bytes", "size_of", "bytes", "dropped", "_sizes")

    def __init__(self, maxlen: int, items=(), *, max_bytes: int | None = None,
                 size_of: Callable[[object], int] | None = None) -> None:
        if maxlen < 1:
            raise ValueError(f"maxlen must be at least 1, not {maxlen}")
        super().__init__()
        self.maxlen = maxlen
        self.max_bytes = max_bytes
        self.size_of = size_of or estimate_size
        self.bytes = 0
        self.dropped = 0
        self._sizes: collections.deque[int] = collections.deque()
        self.extend(items)

    def append(self, item) -> None:
        super().append(item)
        self._add_size(item)
        self._trim()

    def extend(self, items) -> None:
        items = list(items)
        if len(items) > self.maxlen:                   # never size what cannot stay
            self.dropped += len(items) - self.maxlen
            items = items[-self.maxlen:]
        super().extend(items)
        for item in items:
            self._add_size(item)
        self._trim()

    def _add_size(self, item) -> None:
        size = self.size_of(item) if self.max_bytes is not None else 0
        self._sizes.append(size)
        self.bytes += size

    def _trim(self) -> None:
        sizes, count = self._sizes, len(self)
        drop = freed = 0
        while drop < count and (count - drop > self.maxlen or (
                self.max_bytes is not None and self.bytes - freed > self.max_bytes)):
            freed += sizes[drop]
            drop += 1
        if drop:
            for _ in range(drop):
                sizes.popleft()
            self.bytes -= freed
            del self[:drop]
            self.dropped += drop

    def shrink_to(self, max_bytes: int) -> int:
        """Drop the oldest items until at most ``max_bytes`` remain; bytes freed."""
        before, saved = self.bytes, self.max_bytes
        self.max_bytes = max_bytes
        self._trim()
        self.max_bytes = saved
        return before - self.bytes


def _bounded(maxlen: int, max_bytes: int | None = None) -> BoundedList:
    return BoundedList(maxlen, max_bytes=max_bytes)


@attrs.define
class TerminalRecord:
    """One terminal as the platform knows it.

    ``received``: the last ``max_messages`` messages it sent, ``(header, message)``,
    oldest first (replies to platform requests included); ``positions``: the last
    ``max_positions`` ``LocationReport`` (0x0200 and the items of 0x0704); ``batches``
    and ``unacknowledged`` are bounded by ``max_messages`` too; each of the four lists
    also keeps at most ``max_bytes`` estimated bytes (``estimate_size``: a 0x0704 of
    65,535 positions is ~46 MB, so it is let go at once). ``message_count`` and
    ``position_count`` count everything ever received, ``last_position`` is the newest
    position. ``auth_code`` from registration; ``authenticated`` on the current
    connection; ``registration`` the last 0x0100; ``version`` the protocol version its
    session uses.
    """

    phone: str
    auth_code: str | None = None
    version: Version | None = None
    registration: Message | None = None
    authenticated: bool = False
    connections: int = 0
    max_messages: int = attrs.field(default=DEFAULT_MAX_MESSAGES, kw_only=True, repr=False)
    max_positions: int = attrs.field(default=DEFAULT_MAX_POSITIONS, kw_only=True, repr=False)
    max_bytes: int | None = attrs.field(default=DEFAULT_MAX_BYTES, kw_only=True, repr=False)
    message_count: int = 0
    position_count: int = 0
    last_position: LocationReport | None = attrs.field(default=None, repr=False)
    received: BoundedList[tuple[Header, Message]] = attrs.field(
        default=attrs.Factory(lambda self: _bounded(self.max_messages, self.max_bytes), takes_self=True),
        repr=False)
    positions: BoundedList[LocationReport] = attrs.field(
        default=attrs.Factory(lambda self: _bounded(self.max_positions, self.max_bytes), takes_self=True),
        repr=False)
    batches: BoundedList[LocationBatchReport] = attrs.field(
        default=attrs.Factory(lambda self: _bounded(self.max_messages, self.max_bytes), takes_self=True),
        repr=False)
    unacknowledged: BoundedList[tuple[Header, Message]] = attrs.field(
        default=attrs.Factory(lambda self: _bounded(self.max_messages, self.max_bytes), takes_self=True),
        repr=False)

    def record(self, header: Header, message: Message) -> None:
        self.received.append((header, message))
        self.message_count += 1
        if type(message) is LocationReport:
            self.positions.append(message)
            self.position_count += 1
            self.last_position = message
        elif isinstance(message, LocationReport):
            self._add_positions([message])
        elif isinstance(message, LocationBatchReport):
            self.batches.append(message)
            self._add_positions(message.items)

    def _add_positions(self, items) -> None:
        if items:
            self.positions.extend(items)
            self.position_count += len(items)
            self.last_position = items[-1]

    @property
    def kept_bytes(self) -> int:
        """Estimated bytes of everything this record keeps."""
        return sum(kept.bytes for kept in self._kept_lists())

    def shrink_to(self, max_bytes: int) -> int:
        """Let the oldest kept items go until each list holds at most ``max_bytes``."""
        return sum(kept.shrink_to(max_bytes) for kept in self._kept_lists())

    def _kept_lists(self) -> tuple[BoundedList, ...]:
        return self.received, self.positions, self.batches, self.unacknowledged

    def messages(self, msg_id: int) -> list[Message]:
        """Every kept message with ``msg_id``, oldest first."""
        return [message for header, message in self.received if header.msg_id == msg_id]


def phone_key(phone: str) -> str:
    """The phone without BCD padding: ``"013800138000"`` and ``"13800138000"`` are one."""
    return phone.lstrip("0") or "0"


class PhoneDict(dict):
    """A dict keyed by phone number, blind to leading-zero padding."""

    def __getitem__(self, phone: str):
        return super().__getitem__(phone_key(phone))

    def __setitem__(self, phone: str, value) -> None:
        super().__setitem__(phone_key(phone), value)

    def __delitem__(self, phone: str) -> None:
        super().__delitem__(phone_key(phone))

    def __contains__(self, phone: object) -> bool:
        return isinstance(phone, str) and super().__contains__(phone_key(phone))

    def get(self, phone: str, default=None):
        return super().get(phone_key(phone), default)

    def pop(self, phone: str, *default):
        return super().pop(phone_key(phone), *default)
