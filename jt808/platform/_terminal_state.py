"""What the platform remembers about each terminal (by phone number)."""
from __future__ import annotations

import attrs

from ..codec import LocationBatchReport, LocationReport, Message
from ..frame import Header, Version

__all__ = ["TerminalRecord", "BoundedList", "PhoneDict", "phone_key"]

#: Default bounds of what each record keeps (older entries are dropped, and counted).
DEFAULT_MAX_MESSAGES = 1_000
DEFAULT_MAX_POSITIONS = 1_000


class BoundedList(list):
    """A list that keeps only its last ``maxlen`` items (a plain list otherwise)."""

    __slots__ = ("maxlen",)

    def __init__(self, maxlen: int, items=()) -> None:
        if maxlen < 1:
            raise ValueError(f"maxlen must be at least 1, not {maxlen}")
        super().__init__()
        self.maxlen = maxlen
        self.extend(items)

    def append(self, item) -> None:
        super().append(item)
        if len(self) > self.maxlen:
            del self[0]

    def extend(self, items) -> None:
        super().extend(items)
        if len(self) > self.maxlen:
            del self[:len(self) - self.maxlen]


def _bounded(maxlen: int) -> BoundedList:
    return BoundedList(maxlen)


@attrs.define
class TerminalRecord:
    """One terminal as the platform knows it.

    ``received``: the last ``max_messages`` messages it sent, ``(header, message)``,
    oldest first (replies to platform requests included); ``positions``: the last
    ``max_positions`` ``LocationReport`` (0x0200 and the items of 0x0704); ``batches``
    and ``unacknowledged`` are bounded by ``max_messages`` too. ``message_count`` and
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
    message_count: int = 0
    position_count: int = 0
    last_position: LocationReport | None = attrs.field(default=None, repr=False)
    received: BoundedList[tuple[Header, Message]] = attrs.field(
        default=attrs.Factory(lambda self: _bounded(self.max_messages), takes_self=True),
        repr=False)
    positions: BoundedList[LocationReport] = attrs.field(
        default=attrs.Factory(lambda self: _bounded(self.max_positions), takes_self=True),
        repr=False)
    batches: BoundedList[LocationBatchReport] = attrs.field(
        default=attrs.Factory(lambda self: _bounded(self.max_messages), takes_self=True),
        repr=False)
    unacknowledged: BoundedList[tuple[Header, Message]] = attrs.field(
        default=attrs.Factory(lambda self: _bounded(self.max_messages), takes_self=True),
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
