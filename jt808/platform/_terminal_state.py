"""What the platform remembers about each terminal (by phone number)."""
from __future__ import annotations

import attrs

from ..codec import LocationBatchReport, LocationReport, Message
from ..frame import Header, Version

__all__ = ["TerminalRecord", "PhoneDict", "phone_key"]

#: Messages kept per terminal; older ones are dropped (bounded memory).
MAX_RECORDED = 10_000


@attrs.define
class TerminalRecord:
    """One terminal as the platform knows it.

    ``received``: every message it sent, ``(header, message)``, oldest first (replies
    to platform requests included); ``positions``: every ``LocationReport`` (0x0200 and
    the items of 0x0704); ``auth_code`` from registration; ``authenticated`` on the
    current connection; ``registration`` the last 0x0100; ``version`` the protocol
    version its session uses.
    """

    phone: str
    auth_code: str | None = None
    version: Version | None = None
    registration: Message | None = None
    authenticated: bool = False
    connections: int = 0
    received: list[tuple[Header, Message]] = attrs.field(factory=list, repr=False)
    positions: list[LocationReport] = attrs.field(factory=list, repr=False)
    batches: list[LocationBatchReport] = attrs.field(factory=list, repr=False)
    unacknowledged: list[tuple[Header, Message]] = attrs.field(factory=list, repr=False)

    def record(self, header: Header, message: Message) -> None:
        self.received.append((header, message))
        if isinstance(message, LocationReport):
            self.positions.append(message)
        elif isinstance(message, LocationBatchReport):
            self.batches.append(message)
            self.positions.extend(message.items)
        for log in (self.received, self.positions, self.batches, self.unacknowledged):
            if len(log) > MAX_RECORDED:
                del log[:len(log) - MAX_RECORDED]

    def messages(self, msg_id: int) -> list[Message]:
        """Every received message with ``msg_id``, oldest first."""
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
