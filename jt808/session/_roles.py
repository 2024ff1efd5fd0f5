"""Per-role tables: which reply answers which request, and what each state may send."""
from __future__ import annotations

import attrs

__all__ = ["Role", "TERMINAL", "PLATFORM", "CONNECTED", "REGISTERED", "AUTHENTICATED",
           "CLOSED", "SEED_ENCRYPTABLE"]

CONNECTED, REGISTERED, AUTHENTICATED, CLOSED = "connected", "registered", "authenticated", "closed"

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
    """

    name: str
    general_reply: int
    replies: dict[int, int]
    no_reply: frozenset[int]
    reply_only: frozenset[int]
    allowed: dict[str, frozenset[int] | None]

    def expected_reply(self, msg_id: int) -> int | None:
        if msg_id in self.no_reply:
            return None
        return self.replies.get(msg_id, self.general_reply)


_TERMINAL_BEFORE_AUTH = frozenset({0x0001, 0x0002, 0x0003, 0x0004, 0x0100, 0x0102, 0x0A00})
TERMINAL = Role(
    name="terminal",
    general_reply=0x8001,
    replies={0x0100: 0x8100, 0x0801: 0x8800, 0x0004: 0x8004},
    no_reply=frozenset({0x0001, 0x0005, 0x0104, 0x0107, 0x0201, 0x0302, 0x0500, 0x0608,
                        0x0700, 0x0802, 0x0805}),
    reply_only=frozenset({0x8001, 0x8100, 0x8800, 0x8004}),
    allowed={CONNECTED: _TERMINAL_BEFORE_AUTH, REGISTERED: _TERMINAL_BEFORE_AUTH,
             AUTHENTICATED: None, CLOSED: frozenset()},
)

_PLATFORM_BEFORE_AUTH = frozenset({0x8001, 0x8003, 0x8004, 0x8100, 0x8800, 0x8A00})
PLATFORM = Role(
    name="platform",
    general_reply=0x0001,
    replies={0x8104: 0x0104, 0x8106: 0x0104, 0x8107: 0x0107, 0x8201: 0x0201, 0x8302: 0x0302,
             0x8500: 0x0500, 0x8608: 0x0608, 0x8700: 0x0700, 0x8702: 0x0702, 0x8801: 0x0805,
             0x8802: 0x0802},
    no_reply=frozenset({0x8001, 0x8003, 0x8004, 0x8100, 0x8800}),
    reply_only=frozenset({0x0001, 0x0104, 0x0107, 0x0201, 0x0302, 0x0500, 0x0608, 0x0700,
                          0x0802, 0x0805}),
    allowed={CONNECTED: _PLATFORM_BEFORE_AUTH, REGISTERED: _PLATFORM_BEFORE_AUTH,
             AUTHENTICATED: None, CLOSED: frozenset()},
)
