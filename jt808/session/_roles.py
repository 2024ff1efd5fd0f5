"""Per-role tables: which reply answers which request, what each state may send, and
which answers move the state (STYLE §2: every transition lives in this file).

The tables do not know how they are used: ``Session`` looks a message up in
``allowed`` before sending it, and applies ``transitions`` when an answer passes (the
terminal receives it, the platform sends it).
"""
from __future__ import annotations

import enum

import attrs

__all__ = ["Role", "State", "TERMINAL", "PLATFORM", "CONNECTED", "REGISTERED",
           "AUTHENTICATED", "CLOSED", "SEED_ENCRYPTABLE"]


class State(str, enum.Enum):
    """The lifecycle of a link; equal (and hashed) as its plain string value."""

    CONNECTED = "connected"
    REGISTERED = "registered"
    AUTHENTICATED = "authenticated"
    CLOSED = "closed"

    __hash__ = str.__hash__

    def __str__(self) -> str:
        return self.value

    def __format__(self, format_spec: str) -> str:
        return str.__format__(self, format_spec)


CONNECTED, REGISTERED, AUTHENTICATED, CLOSED = (State.CONNECTED, State.REGISTERED,
                                                State.AUTHENTICATED, State.CLOSED)

# Terminal messages the seed encrypts when encryption is on (its set_encryption list).
SEED_ENCRYPTABLE = frozenset({0x0104, 0x0107, 0x0108, 0x0200, 0x0301, 0x0302, 0x0303, 0x0608,
                              0x0700, 0x0701, 0x0702, 0x0704, 0x0705, 0x0800, 0x0802, 0x0805,
                              0x0900, 0x0901})


@attrs.frozen
class Role:
    """What one side of the link sends and expects.

    ``replies``: request id -> reply id, for requests not answered by the general reply.
    ``no_reply``: ids we send that expect nothing back. ``reply_only``: ids we receive
    that are always replies (anything else may also arrive unprompted).
    ``allowed``: state -> ids that may be sent in it (``None``: every id).
    ``transitions``: (request id, answer id, result) -> the state once that answer
    has passed.
    """

    name: str
    general_reply: int
    replies: dict[int, int]
    no_reply: frozenset[int]
    reply_only: frozenset[int]
    allowed: dict[str, frozenset[int] | None]
    transitions: dict[tuple[int, int, int | None], State] = attrs.field(factory=dict)

    def next_state(self, request_id: int, answer_id: int, result: int | None) -> State | None:
        """The state an answer moves the link to, or ``None`` (no change)."""
        return self.transitions.get((request_id, answer_id, result))

    def expected_reply(self, msg_id: int) -> int | None:
        if msg_id in self.no_reply:
            return None
        return self.replies.get(msg_id, self.general_reply)


_TERMINAL_BEFORE_AUTH = frozenset({0x0001, 0x0002, 0x0003, 0x0004, 0x0100, 0x0102, 0x0A00})
TERMINAL = Role(
    name="terminal",
    general_reply=0x8001,
    replies={0x0100: 0x8100, 0x0801: 0x8800, 0x0004: 0x8004},
    # 0x0302 and 0x0702 answer 0x8302 / 0x8702 and still expect 0x8001 (the seed waits)
    no_reply=frozenset({0x0001, 0x0005, 0x0104, 0x0107, 0x0201, 0x0500, 0x0608, 0x0700,
                        0x0802, 0x0805}),
    reply_only=frozenset({0x8001, 0x8100, 0x8800, 0x8004}),
    allowed={CONNECTED: _TERMINAL_BEFORE_AUTH, REGISTERED: _TERMINAL_BEFORE_AUTH,
             AUTHENTICATED: None, CLOSED: frozenset()},
    # answers received: 0x8100 result 0 registers, 0x8001 result 0 to 0x0102
    # authenticates, to 0x0003 (logout) goes back to connected
    transitions={(0x0100, 0x8100, 0): REGISTERED, (0x0102, 0x8001, 0): AUTHENTICATED,
                 (0x0003, 0x8001, 0): CONNECTED},
)

_PLATFORM_BEFORE_AUTH = frozenset({0x8001, 0x8003, 0x8004, 0x8100, 0x8800, 0x8A00})
PLATFORM = Role(
    name="platform",
    general_reply=0x0001,
    replies={0x8104: 0x0104, 0x8106: 0x0104, 0x8107: 0x0107, 0x8201: 0x0201, 0x8302: 0x0302,
             0x8500: 0x0500, 0x8608: 0x0608, 0x8700: 0x0700, 0x8702: 0x0702, 0x8801: 0x0805,
             0x8802: 0x0802},
    no_reply=frozenset({0x8001, 0x8003, 0x8004, 0x8100, 0x8800}),
    reply_only=frozenset({0x0001, 0x0104, 0x0107, 0x0201, 0x0500, 0x0608, 0x0700, 0x0802,
                          0x0805}),
    allowed={CONNECTED: _PLATFORM_BEFORE_AUTH, REGISTERED: _PLATFORM_BEFORE_AUTH,
             AUTHENTICATED: None, CLOSED: frozenset()},
    # answers sent: 0x8100 result 0 registers, 0x8001 result 0 to 0x0102 authenticates
    transitions={(0x0100, 0x8100, 0): REGISTERED, (0x0102, 0x8001, 0): AUTHENTICATED},
)
