"""Session layer (sans-IO) for both roles.

No sockets, no clock, no threads: feed bytes and time in, take bytes and events out.
``TerminalSession`` and ``PlatformSession`` share serial numbering, reply matching on
(serial, message id), the standard's retry timing, subpacket split / reassembly /
resend, RSA and the lifecycle state table.
"""
from ._core import Pending, Session
from ._crypto import RsaKeyPair, decrypt_body, encrypt_body
from ._events import (Event, MessageAnswered, MessageReceived, PeerKeyReceived,
                      ProtocolErrorReceived, QuirkReceived, ReassemblyFailed, ReplyReceived,
                      RequestTimedOut, StateChanged, UnmatchedReply)
from ._packets import Reassembler, ReassemblyLimits, SentStore, split_body
from ._platform import PlatformSession
from ._retry import LINK_PARAM_DEFAULTS, RetryPolicy
from ._roles import (AUTHENTICATED, CLOSED, CONNECTED, PLATFORM, REGISTERED,
                     SEED_ENCRYPTABLE, TERMINAL, State)
from ._terminal import TerminalSession

__all__ = [
    "Session", "TerminalSession", "PlatformSession", "Pending",
    "Event", "MessageReceived", "ReplyReceived", "UnmatchedReply", "RequestTimedOut",
    "ProtocolErrorReceived", "ReassemblyFailed", "StateChanged", "PeerKeyReceived",
    "QuirkReceived", "MessageAnswered", "RsaKeyPair", "encrypt_body", "decrypt_body",
    "Reassembler", "ReassemblyLimits", "SentStore", "split_body",
    "RetryPolicy", "LINK_PARAM_DEFAULTS",
    "CONNECTED", "REGISTERED", "AUTHENTICATED", "CLOSED", "State", "TERMINAL", "PLATFORM",
    "SEED_ENCRYPTABLE",
]
