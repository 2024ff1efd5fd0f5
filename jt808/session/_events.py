"""Events a session hands to its driver through ``next_event()``."""
from __future__ import annotations

import attrs

from ..codec import Message
from ..errors import JT808Error
from ..frame import Header

__all__ = [
    "Event", "MessageReceived", "ReplyReceived", "UnmatchedReply", "RequestTimedOut",
    "ProtocolErrorReceived", "ReassemblyFailed", "StateChanged", "PeerKeyReceived",
    "QuirkReceived", "MessageAnswered",
]


class Event:
    """Base of session events."""

    __slots__ = ()


@attrs.frozen(slots=True)
class MessageReceived(Event):
    """The peer sent a message that is not a reply to one of ours (a request or report)."""

    message: Message
    header: Header


@attrs.frozen(slots=True)
class MessageAnswered(Event):
    """The peer sent a request the session answers itself (0x8204 link check, 0x8A00 /
    0x0A00 RSA key): handed on after the answer went out, so an application sees every
    message it received (the seed's callback lists both)."""

    message: Message
    header: Header


@attrs.frozen(slots=True)
class ReplyReceived(Event):
    """A reply matched to the request it answers (by serial and message id)."""

    request: Message
    request_serial: int
    reply: Message
    header: Header


@attrs.frozen(slots=True)
class UnmatchedReply(Event):
    """A reply that answers nothing we have in flight (late, duplicate, or bogus)."""

    message: Message
    header: Header


@attrs.frozen(slots=True)
class RequestTimedOut(Event):
    """A request got no reply after every retransmission the parameters allow."""

    request: Message
    request_serial: int
    attempts: int


@attrs.frozen(slots=True)
class ProtocolErrorReceived(Event):
    """Bad bytes from the peer: a frame or a body that could not be used. Only it is lost."""

    error: JT808Error
    header: Header | None = None


@attrs.frozen(slots=True)
class QuirkReceived(Event):
    """A warning: the peer departed from the standard in a way a tolerant session
    reads through (``quirks`` in words). ``message`` is what was read, when a message
    was (it is also delivered as usual, unless the version lacks it: then the session
    answered "not supported", result 3, and delivers nothing else)."""

    quirks: tuple[str, ...]
    header: Header | None = None
    message: Message | None = None


@attrs.frozen(slots=True)
class ReassemblyFailed(Event):
    """A split message never completed and was dropped."""

    msg_id: int
    first_serial: int
    total: int
    missing: tuple[int, ...]
    reason: str


@attrs.frozen(slots=True)
class StateChanged(Event):
    old: str
    new: str


@attrs.frozen(slots=True)
class PeerKeyReceived(Event):
    """The peer sent its RSA public key (0x8A00 or 0x0A00); the session now uses it."""

    e: int
    n: int
